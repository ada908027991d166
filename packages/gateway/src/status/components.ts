/**
 * The page's components, from the config: the public API, each model (under its group when one
 * is configured), the console and the admin API. A component's id is derived from what it stands
 * for (its key), so every instance and every restart agree on it without coordination, and it is
 * written to the store once: ids are an API that monitors keep, never regenerated.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Config } from '../config/types.js';
import { TEXT } from './i18n.js';
import { statusDb, type StatusStore } from './tables.js';

export interface ComponentDef {
  id: string;
  key: string;
  name: string;
  description: string | null;
  position: number;
  /** The group's id, for a component shown under a group. */
  group_id: string | null;
  /** A group: its children's ids. */
  children: string[] | null;
  /** The model a component stands for. */
  model: string | null;
}

export function componentId(key: string): string {
  return createHash('sha256').update(`tollgate-status-component:${key}`).digest('hex').slice(0, 12);
}

export function modelKey(model: string): string {
  return `model:${model}`;
}

/** The components in page order; groups come where their first model would. */
export function componentDefs(config: Pick<Config, 'models' | 'status'>): ComponentDef[] {
  const out: ComponentDef[] = [];
  const push = (key: string, name: string, description: string | null, extra: Partial<ComponentDef> = {}) => {
    const def: ComponentDef = { id: componentId(key), key, name, description, position: out.length + 1, group_id: null, children: null, model: null, ...extra };
    out.push(def);
    return def;
  };
  push('api', TEXT.en.components.api!, 'Authentication, limits and the /v1 endpoints');
  const groupOf = new Map<string, string>();
  for (const [g, models] of Object.entries(config.status.groups)) for (const m of models) if (!groupOf.has(m)) groupOf.set(m, g);
  const groups = new Map<string, ComponentDef>();
  for (const m of config.models) {
    const g = groupOf.get(m.name);
    let group: ComponentDef | undefined;
    if (g) {
      group = groups.get(g);
      if (!group) {
        group = push(`group:${g}`, g, null, { children: [] });
        groups.set(g, group);
      }
    }
    const def = push(modelKey(m.name), m.name, `${m.type === 'embedding' ? 'Embeddings' : 'Chat and completions'} on ${m.name}`, { model: m.name, group_id: group?.id ?? null });
    group?.children!.push(def.id);
  }
  push('console', TEXT.en.components.console!, 'The web console');
  push('admin', TEXT.en.components.admin!, 'The operator API under /admin/v1');
  return out;
}

/**
 * Writes components that are not in the store yet (first start, or a model added). Gateways
 * starting at once write the same rows: the conflict has no target, so a row another process is
 * inserting at the same moment is skipped whichever unique column (`id` or `key`) PostgreSQL checks
 * first; with `id` as the only arbiter, the race on `key` failed a start with a unique violation.
 */
export async function syncComponents(store: StatusStore, defs: readonly ComponentDef[], clock: Clock): Promise<void> {
  const now = clock.now();
  const db = statusDb(store);
  for (const d of defs) {
    await db
      .insertInto('status_components')
      .values({ id: d.id, key: d.key, name: d.name, status: 'operational', pending_status: null, pending_count: 0, pending_step: null, reason: null, accrued_until: null, created_at: now, updated_at: now })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}
