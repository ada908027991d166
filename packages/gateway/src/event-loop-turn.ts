/**
 * Turns of the event loop, numbered only as far as someone needs to tell them apart: "was this
 * request read before or after that answer was written?". A client can only send a request that
 * reacts to an answer once it has read that answer, which is a later turn than the one that wrote
 * it; requests read in the same turn as the answer (or earlier) were sent without knowing it.
 *
 * `currentTurn()` is a plain read (cheap enough for every request's arrival). `turnOfAnswer()`
 * returns the same number and makes sure the counter moves on once this turn's I/O callbacks are
 * done (one `setImmediate` per turn that asks), so every request read from then on carries a
 * higher number. Turns in which nothing asked are not counted; only the order matters. (An
 * answer given in a `setImmediate` callback after the counter moved this turn moves it at the end
 * of the next one; a request read in between is taken as sent without knowing the answer — for
 * the retry stagger, the cautious side: a new place, a longer hint.)
 * @module
 */
// The real one, not whatever a test's fake timers put on globalThis: a bump that never runs would
// freeze the count for everyone sharing this module.
import { setImmediate } from 'node:timers';

let turn = 0;
let moving = false;

function next(): void {
  turn++;
  moving = false;
}

/** The number of the turn running now. */
export function currentTurn(): number {
  return turn;
}

/** The number of the turn running now, where an answer is being given; later turns get higher ones. */
export function turnOfAnswer(): number {
  if (!moving) {
    moving = true;
    // Unref'd: it never keeps the process alive (once the loop idles no turn needs telling apart).
    setImmediate(next).unref();
  }
  return turn;
}
