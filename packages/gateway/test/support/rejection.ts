/** Awaits a promise that must reject, and returns the rejection (fails the test when it resolves). */
export async function rejection<E = unknown>(p: Promise<unknown>): Promise<E> {
  try {
    await p;
  } catch (e) {
    return e as E;
  }
  throw new Error('expected a rejection, got a result');
}
