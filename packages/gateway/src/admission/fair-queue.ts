/**
 * Per-organization queues served by a Virtual Token Counter (Sheng et al., OSDI '24): each
 * organization has a counter of the tokens it has been served; the next request comes from the
 * backlogged organization with the smallest counter (ties: the oldest head request). When an
 * organization's queue goes from empty to non-empty its counter is lifted to the minimum among
 * backlogged organizations (or, if none, to the counter of the last one served), so time spent idle
 * is not banked as credit. Counters are charged the estimate at dequeue and corrected at settle.
 */

export interface FairItem {
  readonly orgId: string;
  readonly cost: number;
}

interface Entry<T> {
  item: T;
  seq: number;
}

interface OrgState<T> {
  counter: number;
  queue: Entry<T>[];
  /** Requests of this org holding a slot; the org's state is kept while any is running. */
  running: number;
}

/** How many dequeues between sweeps of idle organizations whose counter carries no information. */
const SWEEP_EVERY = 256;

export class VirtualTokenCounterQueue<T extends FairItem> {
  private readonly orgs = new Map<string, OrgState<T>>();
  private readonly backlogged = new Set<string>();
  /**
   * Virtual time: the counter of the last organization served (the minimum among backlogged ones
   * when it was selected). Never decreases.
   */
  private floor = 0;
  private seq = 0;
  private count = 0;
  private popsSinceSweep = 0;

  get size(): number {
    return this.count;
  }

  /** The organization's counter of served tokens (0 if unknown); for tests and metrics. */
  counterOf(orgId: string): number {
    return this.orgs.get(orgId)?.counter ?? 0;
  }

  push(item: T): void {
    const org = this.state(item.orgId);
    if (org.queue.length === 0) {
      org.counter = Math.max(org.counter, this.minBacklogged() ?? this.floor);
      this.backlogged.add(item.orgId);
    }
    org.queue.push({ item, seq: this.seq++ });
    this.count++;
  }

  /** Takes a waiting item out (abort, timeout). Returns false if it was not queued. */
  remove(item: T): boolean {
    const org = this.orgs.get(item.orgId);
    if (!org) return false;
    const i = org.queue.findIndex((e) => e.item === item);
    if (i < 0) return false;
    org.queue.splice(i, 1);
    this.count--;
    if (org.queue.length === 0) {
      this.backlogged.delete(item.orgId);
      this.evictIfIdle(item.orgId, org);
    }
    return true;
  }

  /** Dequeues the next item in fair order and charges its estimated cost to its organization. */
  pop(): T | undefined {
    let bestId: string | undefined;
    let best: OrgState<T> | undefined;
    for (const id of this.backlogged) {
      const org = this.orgs.get(id)!;
      if (!best || org.counter < best.counter || (org.counter === best.counter && org.queue[0]!.seq < best.queue[0]!.seq)) {
        best = org;
        bestId = id;
      }
    }
    if (!best || bestId === undefined) return undefined;
    const { item } = best.queue.shift()!;
    this.count--;
    if (best.queue.length === 0) this.backlogged.delete(bestId);
    this.floor = Math.max(this.floor, best.counter);
    best.counter += chargeOf(item.cost);
    best.running++;
    if (++this.popsSinceSweep >= SWEEP_EVERY) this.sweep();
    return item;
  }

  /**
   * Records service that did not pass through the queue (a slot was free on arrival). Virtual time
   * advances with it, so that using idle capacity is neither banked as credit by the orgs that were
   * quiet nor held against the org that used it once contention starts.
   */
  charge(orgId: string, cost: number): void {
    const org = this.state(orgId);
    org.counter = Math.max(org.counter, this.floor);
    this.floor = org.counter;
    org.counter += chargeOf(cost);
    org.running++;
  }

  /** A served request finished: corrects its organization's counter with the actual cost if known. */
  settle(orgId: string, estimatedCost: number, actualCost?: number): void {
    const org = this.orgs.get(orgId);
    if (!org) return;
    if (actualCost !== undefined && Number.isFinite(actualCost)) org.counter += chargeOf(actualCost) - chargeOf(estimatedCost);
    org.running = Math.max(0, org.running - 1);
    this.evictIfIdle(orgId, org);
  }

  /** Removes and returns every queued item (on close). */
  drain(): T[] {
    const out: T[] = [];
    for (const id of this.backlogged) for (const e of this.orgs.get(id)!.queue) out.push(e.item);
    for (const id of [...this.backlogged]) {
      this.orgs.get(id)!.queue = [];
      this.backlogged.delete(id);
    }
    this.count = 0;
    return out;
  }

  private state(orgId: string): OrgState<T> {
    let org = this.orgs.get(orgId);
    if (!org) {
      org = { counter: 0, queue: [], running: 0 };
      this.orgs.set(orgId, org);
    }
    return org;
  }

  private minBacklogged(): number | undefined {
    let min: number | undefined;
    for (const id of this.backlogged) {
      const c = this.orgs.get(id)!.counter;
      if (min === undefined || c < min) min = c;
    }
    return min;
  }

  /**
   * An idle organization whose counter is at or below the floor would be lifted to the floor on
   * its return anyway, so forgetting it loses nothing; this bounds the map by the active orgs.
   */
  private evictIfIdle(orgId: string, org: OrgState<T>): void {
    if (org.queue.length === 0 && org.running === 0 && org.counter <= this.floor) this.orgs.delete(orgId);
  }

  private sweep(): void {
    this.popsSinceSweep = 0;
    for (const [id, org] of this.orgs) this.evictIfIdle(id, org);
  }
}

/** Every request costs at least one token, so a stream of zero-cost requests cannot hold the head. */
function chargeOf(cost: number): number {
  return Number.isFinite(cost) && cost > 1 ? cost : 1;
}
