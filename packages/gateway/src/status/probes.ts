/**
 * Active probes: a one-token request to each deployment of the models that are probed. On by
 * default for the built-in simulator, off by default for upstreams (every probe is a paid
 * request there); `status.probes.models.<name>` turns either on or off. A probe goes to one
 * deployment only (no retries, no fallbacks), so a dead deployment behind a healthy one shows.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Config, ModelConfig } from '../config/types.js';
import type { Engine, EngineCall } from '../upstream/engine.js';
import { OpenAICompatibleEngine, type OpenAICompatibleDeps } from '../upstream/openai-compatible/index.js';
import type { ProbeTarget } from './monitor.js';

export function isProbed(config: Pick<Config, 'status'>, m: ModelConfig): boolean {
  return config.status.probes.models[m.name] ?? m.provider === 'simulator';
}

function probeCall(m: ModelConfig, model: string, signal: AbortSignal): EngineCall {
  const body = m.type === 'embedding' ? { model, input: 'ping' } : { model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 };
  return { endpoint: m.type === 'embedding' ? 'embeddings' : 'chat.completions', body, stream: false, clientWantsUsage: false, requestId: `req_probe_${randomUUID().replaceAll('-', '')}`, signal };
}

export function probeTargets(config: Pick<Config, 'models' | 'status'>, engines: ReadonlyMap<string, Engine>, deps: OpenAICompatibleDeps): ProbeTarget[] {
  const out: ProbeTarget[] = [];
  for (const m of config.models) {
    if (!isProbed(config, m)) continue;
    if (m.provider === 'simulator') {
      const engine = engines.get(m.name);
      if (engine) out.push({ model: m.name, deployment: 'simulator', call: async (signal) => void (await engine.call(probeCall(m, m.name, signal))) });
      continue;
    }
    for (const d of m.deployments) {
      // An engine of this one deployment: its own breaker, so probes never trip the live one.
      const engine = new OpenAICompatibleEngine({ ...m, deployments: [d], fallbacks: [] }, deps);
      out.push({ model: m.name, deployment: d.name, call: async (signal) => void (await engine.call(probeCall(m, d.model, signal))), close: () => engine.close() });
    }
  }
  return out;
}
