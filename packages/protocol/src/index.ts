/**
 * @tollgate/protocol — the wire contract shared by the Tollgate gateway and client: the error
 * catalog, header names and formats, and request/response shapes, the SSE frame format; and the
 * timers both use for delays longer than one timer keeps. No dependencies.
 * @module
 */
export * from './errors/index.js';
export * from './headers.js';
export * from './sse.js';
export * from './timers.js';
export * from './types.js';
