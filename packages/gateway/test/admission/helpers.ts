/** Shared bits for the admission tests. */
import { ApiError } from 'tollgate';

/** Lets every pending promise chain (microtasks and immediates) run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

export function isOverload(err: unknown, id: 'engine_overloaded' | 'server_is_overloaded' = 'engine_overloaded'): err is ApiError {
  return err instanceof ApiError && err.entry.id === id;
}

/** A promise plus the function that resolves it. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}
