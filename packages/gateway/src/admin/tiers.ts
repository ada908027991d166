import type { AdminHandler } from './deps.js';
import { listOf } from './paging.js';

/**
 * GET /admin/v1/tiers: the configured usage tiers in config order, each with its limits per model
 * (`*` = every model the tier does not name) and whether new organizations get it — what an
 * organization's `tier` may be set to.
 */
export const listTiers: AdminHandler = async (_ctx, deps) => ({
  body: listOf(
    Object.entries(deps.config.tiers).map(([id, limits]) => ({ object: 'tier', id, default: id === deps.config.default_tier, limits })),
    false,
  ),
});
