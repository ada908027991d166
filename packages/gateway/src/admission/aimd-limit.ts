/**
 * Additive-increase / multiplicative-decrease concurrency limit (Netflix concurrency-limits'
 * AIMDLimit, TCP congestion avoidance). Fed only by outcomes the caller reports: an upstream
 * 429/503/timeout cuts the limit by `backoff_ratio`; a success grows it by 1/limit (about +1 per
 * limit's worth of successes), and only while at least half the limit is in use, so an idle or
 * app-limited engine does not inflate a limit it has never tested. Latency is deliberately not a
 * signal: an LLM call's latency follows its output length, not congestion.
 */
import type { AdaptiveLimitConfig } from './types.js';

export class AimdLimit {
  readonly min: number;
  readonly max: number;
  readonly backoffRatio: number;
  private value: number;

  constructor(cfg: AdaptiveLimitConfig, initial: number) {
    const ratio = cfg.backoff_ratio ?? 0.9;
    if (!(Number.isInteger(cfg.min) && cfg.min >= 1)) throw new Error(`adaptive.min must be an integer >= 1, got ${cfg.min}`);
    if (!(Number.isInteger(cfg.max) && cfg.max >= cfg.min)) throw new Error(`adaptive.max must be an integer >= min, got ${cfg.max}`);
    if (!(ratio > 0 && ratio < 1)) throw new Error(`adaptive.backoff_ratio must be in (0, 1), got ${ratio}`);
    this.min = cfg.min;
    this.max = cfg.max;
    this.backoffRatio = ratio;
    this.value = Math.min(cfg.max, Math.max(cfg.min, initial));
  }

  /** The whole number of slots currently allowed. */
  get limit(): number {
    return Math.max(this.min, Math.floor(this.value));
  }

  /** The unrounded window, for metrics and tests. */
  get window(): number {
    return this.value;
  }

  onOverload(): void {
    this.value = Math.max(this.min, this.value * this.backoffRatio);
  }

  /** `inFlight` is the number of slots held while this request ran (before its release). */
  onSuccess(inFlight: number): void {
    if (inFlight * 2 < this.value) return;
    this.value = Math.min(this.max, this.value + 1 / this.value);
  }
}
