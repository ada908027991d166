/**
 * Usage: the durable ledger of every request (journal → buffer → batched, idempotent writes with
 * daily rollups), the spend rebuild at start, retention, and the OpenAI-shaped usage and cost
 * reports.
 * @module
 */
export type { UsageEvent } from './event.js';
export { UsageLedger, type UsageLedgerOptions, type LedgerStats } from './ledger.js';
export { writeUsageBatch, type BatchResult } from './ledger-writer.js';
export { rebuildSpend, ledgerSpendByOrg, type RebuildOptions, type SpendRebuildEntry } from './spend-rebuild.js';
export { CounterRebuilder, type CounterRebuildDeps, type RebuildResult } from './counter-rebuild.js';
export { wasAdmitted } from './admitted-history.js';
export { LimitSeeds, changedLimits, withLimitSeeds, type AroundLookups, type LimitLookup, type LimitSeedScope, type NewLimit } from './limit-seeds.js';
export { SpendReconciler, type ReconcileReport, type SpendReconcilerOptions } from './spend-reconcile.js';
export { cleanupUsage, startUsageRetention, type CleanupOptions } from './retention.js';
export { parseReportQuery, usageOfKind, UNSERVED_USAGE, type UnservedUsageKind, type ReportQuery, type BucketWidth, type GroupField, type ReportKind } from './report-query.js';
export { usageCompletionsReport, usageEmbeddingsReport, unservedUsageReport, costsReport, type UnservedUsageResults, type UsageEmbeddingsResult, type UsagePage, type UsageCompletionsResult, type CostsResult } from './reports.js';
