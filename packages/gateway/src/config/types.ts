/**
 * The validated configuration: what `tollgate.yaml` holds once defaults and the environment's
 * overrides are applied. Every type here is inferred from the schema (schema.ts,
 * model-schema.ts, status/config.ts), where each key is declared and documented once.
 * @module
 */
import type { z } from 'zod';
import type { ParsedModel } from './model-schema.js';
import type { configSchema, tiersSchema } from './schema.js';

/** A model as served: `simulator.allow_fault_header` resolved against the top-level switch. */
export type ModelConfig = ParsedModel & { simulator: { allow_fault_header: boolean } };
export type ModelType = ModelConfig['type'];
export type SimulatorSettings = ModelConfig['simulator'];
export type Deployment = ModelConfig['deployments'][number];
export type Timeouts = Deployment['timeouts'];
export type StreamUsage = NonNullable<Deployment['stream_usage']>;
export type AdmissionSettings = NonNullable<ModelConfig['admission']>;
export type BreakerSettings = ModelConfig['breaker'];

/** tier name → model name (or `*` for every model) → limits. */
export type Tiers = z.output<typeof tiersSchema>;
/** The four OpenAI limit fields; null = unlimited, 0 blocks the model. */
export type LimitSet = Tiers[string][string];

export type Config = z.output<typeof configSchema> & {
  /** Resolved secrets and sources, never serialized back. */
  secrets: { admin_key: string | null; server_secret: string | null; server_secret_previous: string | null; metrics_token: string | null };
  /** The file the config came from, or null for the built-in defaults. */
  source: string | null;
  /** What loads but is likely a mistake (a named secret variable that is not set: needed-env.ts), one line each. */
  warnings: readonly string[];
};
