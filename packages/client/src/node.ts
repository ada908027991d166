/**
 * @tollgate/client/node — the Node-only parts: the `tollgate batch` command (files, terminal,
 * Ctrl-C). Everything of the browser-safe entry is re-exported, so Node code can import from here alone.
 * @module
 */
export * from './index.js';
export { batchCommand, BATCH_USAGE, type BatchIO, type TextSink } from './batch/cli.js';
