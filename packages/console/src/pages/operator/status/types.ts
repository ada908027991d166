/** The status page's admin objects (Statuspage's shapes, as /admin/v1/status/* answers them). */
import { api, type ListPage } from '../../../lib/api';
import { ADMIN } from '../../../lib/admin-api';

export interface StatusComponent {
  id: string;
  name: string;
  status: string;
  group: boolean;
}

export interface Incident {
  id: string;
  name: string;
  status: string;
  impact: string;
  created_at: string;
  resolved_at: string | null;
  shortlink: string;
  incident_updates: { id: string; status: string; body: string; created_at: string }[];
  components: StatusComponent[];
  scheduled_for?: string | null;
  scheduled_until?: string | null;
}

/** What the status page posts: incidents (opened, updated, resolved) and scheduled maintenance. */
export type EventKind = 'incident' | 'maintenance';

export const STATUS = `${ADMIN}/status`;
export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export const MAINTENANCE_STATUSES = ['scheduled', 'in_progress', 'verifying', 'completed'] as const;
export const COMPONENT_STATUSES = ['degraded_performance', 'partial_outage', 'major_outage'] as const;

export const listComponents = async (): Promise<StatusComponent[]> => (await api<ListPage<StatusComponent>>('GET', `${STATUS}/components`)).data.filter((c) => !c.group);

/** An ISO time from the API as Unix seconds, for formatTime. */
export const unixOf = (iso: string | null | undefined): number | null => (iso ? Math.floor(Date.parse(iso) / 1000) : null);

/** The form's trimmed `body` as the API's optional message: left out when the field is empty. */
export const optionalBody = (f: FormData): { body?: string } => {
  const body = String(f.get('body')).trim();
  return body ? { body } : {};
};
