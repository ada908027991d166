/**
 * What a gateway's start has opened so far (the store, the writer thread, timers, Redis
 * subscriptions…), closed in reverse order when a later step of the start fails. Without it a
 * start that fails after opening the store (a wrong key-hashing secret, a journal in use, the
 * database refusing the spend rebuild) printed its error and then kept running with nothing
 * listening, holding the process open.
 * @module
 */
import type { Logger } from 'pino';

export class OpenedOnStart {
  private readonly closers: (() => unknown)[] = [];

  /** Registers how to close something just opened; returns it. */
  add<T>(value: T, close: (value: T) => unknown): T {
    this.closers.push(() => close(value));
    return value;
  }

  /** Closes everything registered, last first; a close that fails is logged and the rest still run. */
  async closeAll(log: Logger): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) {
      try {
        await close();
      } catch (e) {
        log.warn({ err: e }, 'closing after a failed start');
      }
    }
  }
}
