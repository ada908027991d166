/**
 * Billing: money in integer pico-dollars, calendar-month periods and their spend-counter keys,
 * organization spend limits, quota-increase requests, soft-limit notifications, the billing admin
 * routes and the money commands of the CLI.
 * @module
 */
export { pricePico, worstCasePico, picoPerToken, picoToUsd, usdToPico, formatUsd, toPico, PICO_PER_USD, MAX_PICO, type Priced } from './pricing.js';
export { periodOf, currentPeriod, parsePeriod, dayOf, dayStartMs, spendKey, spendTarget, type Period } from './period.js';
export { getOrgLimits, setOrgLimits, type OrgLimits } from './org-limits.js';
export { OrgSpendLimits, type SpendLimits } from './org-spend-limits.js';
export { createQuotaRequest, decideQuotaRequest, getQuotaRequest, listQuotaRequests, type QuotaRequest, type Decision } from './quota-requests.js';
export { SoftLimitNotifier, createSoftLimitHook, type SoftLimitNotifierOptions, type SoftLimitPayload } from './soft-limit.js';
export { registerBillingRoutes, billingView, type BillingRouteDeps } from './routes.js';
export { BILLING_COMMANDS, money } from './cli.js';
export type { BillingTables, BillingStore } from '../store/billing-tables.js';
