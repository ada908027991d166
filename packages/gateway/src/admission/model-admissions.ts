/**
 * The engine-slot gates of a gateway: one `Admission` per model that configures `admission`,
 * taking its slots from Redis (shared by every instance) when Redis is configured, else from this
 * process. Owns the gates and their semaphores (closes them) and reports their gauges.
 * @module
 */
import type { Clock } from '../clock.js';
import type { Config, ModelConfig } from '../config/types.js';
import type { Metrics } from '../status/metrics.js';
import { Admission } from './admission.js';
import { RedisLeaseSemaphore } from './redis-lease-semaphore.js';

export interface ModelAdmissionsDeps {
  clock: Clock;
  /** Slots shared through Redis under this key prefix; absent: slots in this process. */
  redis?: { client: ConstructorParameters<typeof RedisLeaseSemaphore>[0]; prefix: string };
}

export class ModelAdmissions {
  /** Models without `admission` have none. */
  private readonly byModel = new Map<string, Admission>();
  private readonly semaphores: RedisLeaseSemaphore[] = [];

  constructor(config: Pick<Config, 'models' | 'server'>, deps: ModelAdmissionsDeps) {
    for (const m of config.models) {
      if (!m.admission) continue;
      const semaphore = deps.redis ? new RedisLeaseSemaphore(deps.redis.client, deps.redis.prefix, m.name) : undefined;
      if (semaphore) this.semaphores.push(semaphore);
      this.byModel.set(m.name, new Admission(m.name, { ...m.admission, overload_status: config.server.overload_status }, { clock: deps.clock, ...(semaphore ? { semaphore } : {}) }));
    }
  }

  /** The model's gate; undefined when it admits without one. */
  of(model: ModelConfig): Admission | undefined {
    return this.byModel.get(model.name);
  }

  registerMetrics(metrics: Metrics): void {
    metrics.gauge('tollgate_admission_in_flight', 'Requests holding an engine slot.', ['model'], () => [...this.byModel].map(([name, a]) => [{ model: name }, a.stats().inFlight]));
    metrics.gauge('tollgate_admission_queued', 'Requests waiting for an engine slot.', ['model'], () => [...this.byModel].map(([name, a]) => [{ model: name }, a.stats().queued]));
  }

  /** Rejects every waiter as overloaded, then gives up the shared leases. */
  async close(): Promise<void> {
    for (const a of this.byModel.values()) await a.close();
    for (const s of this.semaphores) await s.close();
  }
}
