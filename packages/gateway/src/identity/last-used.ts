import type { RepeatingFailureLog } from '../repeating-failure-log.js';
import type { ApiKeyRepo } from '../store/index.js';

/**
 * `last_used_at` without a database write per request: successful authentications note the time
 * in memory, and `flush` writes the latest time per key in one transaction — every few seconds
 * from a timer, and once more at close.
 */
export class LastUsedBuffer {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly keys: Pick<ApiKeyRepo, 'touchLastUsed'>) {}

  touch(keyId: string, at: number): void {
    const prev = this.pending.get(keyId);
    if (prev === undefined || at > prev) this.pending.set(keyId, at);
  }

  get size(): number {
    return this.pending.size;
  }

  /**
   * Writes what is pending. Flushes run one after another; a failed write puts its entries back
   * (unless a newer time arrived meanwhile) for the next flush.
   */
  flush(): Promise<void> {
    const run = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.keys.touchLastUsed([...batch]);
      } catch (e) {
        for (const [id, at] of batch) this.touch(id, at);
        throw e;
      }
    });
    this.flushing = run.catch(() => {});
    return run;
  }

  /** Flushes every `intervalMs` (the timer does not keep the process alive), each run logged by `failures`. */
  start(intervalMs: number, failures: Pick<RepeatingFailureLog, 'attempt'>): void {
    this.stop();
    this.timer = setInterval(() => {
      void failures.attempt(() => this.flush());
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
