/**
 * The `tollgate` package: what a program embedding the gateway (or a test acting as one) uses.
 *
 * ```ts
 * import { createGateway, loadConfig } from 'tollgate';
 * const config = loadConfig('tollgate.yaml');          // throws ConfigError naming the bad field
 * const gateway = await createGateway(config);          // store, counters, engines, routes
 * const url = await gateway.listen();                   // resolves with the bound URL
 * await gateway.close();                                // drains in-flight requests, flushes usage
 * ```
 *
 * Everything else under `src/` is internal and may change without notice.
 * @module
 */

// Creating and starting a gateway.
export { createGateway, type DrainReport, type Gateway, type GatewayDeps } from './app.js';
export type { MailMessage, MailTransport } from './mail/mailer.js';
export { bootstrap, credentialsFileFor, type FirstStart } from './bootstrap.js';
export type { Services, Principal } from './services.js';

// Configuration: the YAML file (or a parsed document) plus environment overrides → a validated Config.
export { loadConfig, parseConfig, ConfigError, type Env } from './config/load.js';
export { DEFAULT_MODELS, DEFAULT_TIERS } from './config/defaults.js';
export type {
  Config,
  ModelConfig,
  ModelType,
  Deployment,
  Timeouts,
  StreamUsage,
  SimulatorSettings,
  AdmissionSettings,
  BreakerSettings,
  LimitSet,
  Tiers,
} from './config/types.js';

// Errors: every error a caller sees is an entry of the catalog, thrown as an ApiError.
export { CATALOG, entry, findEntry, isErrorId, type CatalogEntry, type ErrorId } from '@tollgate/protocol';
export { ApiError, UpstreamHttpError } from './errors/api-error.js';
export { errorBody, errorResponse, streamErrorFrame, streamFormatOf, type ErrorResponse, type StreamFormat } from './errors/render.js';

// What the world provides, injectable: time, the durable store, Redis, the rate-limit counters.
export { systemClock, FakeClock, type Clock } from './clock.js';
export {
  openStore,
  ConflictError,
  ROLES,
  PROJECT_ROLES,
  KEY_PERMISSIONS,
  type Store,
  type Dialect,
  type Organization,
  type User,
  type Role,
  type Project,
  type ProjectRole,
  type ApiKeyRecord,
  type LimitOverride,
} from './store/index.js';
export { connectRedis, type RedisClient } from './redis-client.js';
export { MemoryCounterStore, RedisCounterStore, CounterStateLost, type CounterStore, type RedisCounterStoreOptions } from './limits/index.js';

// The upstream simulator (`tollgate simulate`): an OpenAI-compatible server with scripted faults.
export { startSimulatorServer, parseFault, faultError, type SimulatorServer, type SimulatorServerOptions, type FaultPlan } from './upstream/simulator/index.js';
export { FAULT_RETRY_MS } from './upstream/simulator/faults.js';

// The `tollgate` command in-process: runs one command line with the given I/O, resolves with its exit code.
export { runCli } from './cli/run.js';
export type { CliIo } from './cli/io.js';
