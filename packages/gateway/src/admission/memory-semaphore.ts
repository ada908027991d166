/**
 * In-process slot source: a counter. One instance per Admission by default; share one between
 * several Admission objects to model instances sharing a cap without Redis.
 */
import type { Lease, SlotSemaphore } from './types.js';

export class MemorySemaphore implements SlotSemaphore {
  private heldCount = 0;
  private nextId = 0;
  private wakers = new Set<() => void>();

  get held(): number {
    return this.heldCount;
  }

  async tryAcquire(limit: number): Promise<Lease | null> {
    if (this.heldCount >= limit) return null;
    this.heldCount++;
    let released = false;
    return {
      id: `mem-${++this.nextId}`,
      release: async () => {
        if (released) return;
        released = true;
        this.heldCount--;
        this.wake();
      },
    };
  }

  waitForChange(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.wakers.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.wakers.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    for (const w of [...this.wakers]) w();
  }
}
