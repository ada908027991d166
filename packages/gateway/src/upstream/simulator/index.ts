/**
 * The built-in `simulator` engine: an OpenAI-compatible fake model with deterministic text, real
 * token counts, a latency model, finite capacity and fault injection for every catalog error;
 * and the same engine served alone over HTTP (`tollgate simulate`).
 * @module
 */
export { SimulatorEngine, type SimulatorDeps } from './engine.js';
export type { SimulatorStats } from './capacity.js';
export { parseFault, faultError, type FaultPlan } from './faults.js';
export { startSimulatorServer, type SimulatorServer, type SimulatorServerOptions } from './serve.js';
export { TOKENS_PER_CHUNK } from './answer.js';
export { DEFAULT_DIMENSIONS } from './embeddings.js';
