/**
 * Sends a call to its model's engine and, when that fails before the first byte for a reason
 * that is not the caller's, to the model's `fallbacks` in order. The first model's error is the
 * one reported when every fallback fails too: it is the model the caller asked for.
 *
 * Fallbacks are one level deep (a fallback's own fallbacks are not followed) and never used
 * after output started: an engine's `call()` resolves with the first chunk already in hand, so
 * anything it throws is before the first byte, and errors thrown later from the chunk iterator
 * never reach this router.
 * @module
 */
import type { ModelConfig } from '../config/types.js';
import { ApiError } from '../errors/api-error.js';
import type { Engine, EngineCall, EngineResult } from './engine.js';

/** Whether `err`, thrown by an engine's `call()`, may be cured by a fallback model (its entry says). */
export function canFallBack(err: unknown): boolean {
  return err instanceof ApiError && err.entry.fallback;
}

export class EngineRouter {
  constructor(
    private readonly engines: Map<string, Engine>,
    private readonly models: Map<string, ModelConfig>,
  ) {}

  /** `opts.fallbacks` replaces the model's configured list (the pipeline passes those the caller may use). */
  async call(modelName: string, call: EngineCall, opts: { fallbacks?: readonly string[] } = {}): Promise<{ result: EngineResult; servedBy: string }> {
    const engine = this.engines.get(modelName);
    if (!engine) throw new Error(`no engine is configured for model '${modelName}'`);
    let firstError: unknown;
    try {
      return { result: await engine.call(call), servedBy: modelName };
    } catch (e) {
      if (!canFallBack(e) || call.signal.aborted) throw e;
      firstError = e;
    }
    for (const name of opts.fallbacks ?? this.models.get(modelName)?.fallbacks ?? []) {
      const fallback = this.engines.get(name);
      if (!fallback || name === modelName) continue;
      try {
        return { result: await fallback.call({ ...call, body: { ...call.body, model: name } }), servedBy: name };
      } catch (e) {
        if (call.signal.aborted) throw e;
        // Whatever the fallback's reason, the next one may still serve; the caller hears the first model's error.
      }
    }
    throw firstError;
  }
}
