/**
 * A gateway's engines, one per configured model (the built-in simulator or an OpenAI-compatible
 * upstream), and the gauges of their deployments.
 * @module
 */
import type { Clock } from '../clock.js';
import type { Config } from '../config/types.js';
import type { Metrics } from '../status/metrics.js';
import type { PromptCounter } from '../tokens/prompt-counter.js';
import type { Engine } from './engine.js';
import { OpenAICompatibleEngine, type DeploymentState } from './openai-compatible/index.js';
import { SimulatorEngine } from './simulator/index.js';

export function createEngines(config: Pick<Config, 'models' | 'server'>, deps: { clock: Clock; env: Record<string, string | undefined>; promptCounter: PromptCounter }): Map<string, Engine> {
  const engines = new Map<string, Engine>();
  for (const m of config.models) {
    engines.set(
      m.name,
      m.provider === 'simulator'
        ? new SimulatorEngine(m, { clock: deps.clock, promptCounter: deps.promptCounter, overloadStatus: config.server.overload_status })
        : new OpenAICompatibleEngine(m, { clock: deps.clock, env: deps.env, overloadStatus: config.server.overload_status }),
    );
  }
  return engines;
}

/** A model's deployments with their breakers (the simulator has none). */
export function deploymentStatesOf(engine: Engine | undefined): DeploymentState[] {
  return engine instanceof OpenAICompatibleEngine ? engine.deploymentStates() : [];
}

/** Per deployment of the OpenAI-compatible engines: circuit breaker state and stream_options refusal. */
export function registerEngineMetrics(metrics: Metrics, engines: ReadonlyMap<string, Engine>): void {
  const deployments = () => [...engines.values()].flatMap(deploymentStatesOf);
  metrics.gauge('tollgate_upstream_breaker_open', 'Deployments whose circuit breaker is open (1) or half-open (0.5).', ['deployment'], () =>
    deployments().map((d) => [{ deployment: d.name }, d.breaker.state === 'open' ? 1 : d.breaker.state === 'half_open' ? 0.5 : 0]),
  );
  metrics.gauge('tollgate_upstream_stream_options_refused', "Deployments (stream_usage: auto) that refused stream_options: their streams are billed from the gateway's own count (1).", ['deployment'], () =>
    deployments().map((d) => [{ deployment: d.name }, d.streamOptionsRefused ? 1 : 0]),
  );
}
