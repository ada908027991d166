/**
 * Waiting for what another socket, process or timer makes true (a request arrived, a log line was
 * written, a connection is down), by polling it. The deadline only turns a condition that never
 * comes into a clear failure: it is generous, because on a loaded 2-core machine something that
 * takes milliseconds alone can take seconds.
 */

/** Polls `cond` every `intervalMs` until it holds; throws, naming `what`, after `timeoutMs`. */
export async function until(cond: () => boolean | Promise<boolean>, what: string, { timeoutMs = 15_000, intervalMs = 5 } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
