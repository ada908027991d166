/**
 * An organization's audit log, newest first, a page at a time from the server, with filters on
 * the event type, the actor (an email, or an id such as `operator`) and the dates (the viewer's
 * days). `path` is the list endpoint: the owner's /v1/organization/audit_logs or the operator's
 * /admin/v1/organizations/{id}/audit_logs; both take the same query.
 */
import { useState } from 'react';
import { Pager } from '../../components/Pager';
import { DataTable, ErrorNote, Field, Loading } from '../../components/ui';
import { usePages } from '../../components/use-pages';
import { useI18n } from '../../i18n/i18n';
import { api, type ListPage } from '../../lib/api';
import { formatTime } from '../../lib/time';

export interface AuditEntry {
  id: string;
  type: string;
  effective_at: number;
  project?: { id: string };
  actor:
    | { type: 'api_key'; api_key: { id: string; user: { email: string } | null } }
    | { type: 'session'; session: { user: { email: string }; ip_address: string } }
    | { type: 'operator'; operator: { ip_address: string } };
  [details: string]: unknown;
}

/** The event types the gateway records, for the filter. */
export const EVENT_TYPES = [
  'organization.created',
  'organization.updated',
  'organization.deleted',
  'user.added',
  'user.updated',
  'user.deleted',
  'invite.sent',
  'invite.accepted',
  'invite.deleted',
  'project.created',
  'project.updated',
  'project.archived',
  'service_account.created',
  'service_account.deleted',
  'api_key.created',
  'api_key.deleted',
  'rate_limit.updated',
  'quota_request.created',
  'quota_request.updated',
] as const;

/** A date input's day (the viewer's midnight) as Unix seconds; `plusDays` for an exclusive end. */
const dayStart = (v: string, plusDays = 0): number => {
  const [y, m, d] = v.split('-').map(Number);
  return Math.floor(new Date(y!, m! - 1, d! + plusDays).getTime() / 1000);
};

/** The list query of the filter form: `event_types[]`, `actor_emails[]` or `actor_ids[]`, `effective_at[gte|lt]`. */
export function filterQuery(f: FormData): string {
  const q = new URLSearchParams();
  const type = String(f.get('event_type') ?? '');
  if (type) q.append('event_types[]', type);
  const actor = String(f.get('actor') ?? '').trim();
  if (actor) q.append(actor.includes('@') ? 'actor_emails[]' : 'actor_ids[]', actor.includes('@') ? actor.toLowerCase() : actor);
  const from = String(f.get('from') ?? '');
  if (from) q.set('effective_at[gte]', String(dayStart(from)));
  const to = String(f.get('to') ?? '');
  if (to) q.set('effective_at[lt]', String(dayStart(to, 1)));
  return q.toString();
}

function Actor({ actor }: { actor: AuditEntry['actor'] }) {
  const { t } = useI18n();
  if (actor.type === 'operator') return <>{t('audit.operator')}</>;
  if (actor.type === 'session') return <>{actor.session.user.email}</>;
  return (
    <>
      {actor.api_key.user?.email ?? ''} <code>{actor.api_key.id}</code>
    </>
  );
}

export function AuditLogView({ path }: { path: string }) {
  const { t, lang } = useI18n();
  const [query, setQuery] = useState('');
  const pages = usePages(
    (after) => api<ListPage<AuditEntry>>('GET', `${path}?limit=20${query ? `&${query}` : ''}${after ? `&after=${encodeURIComponent(after)}` : ''}`),
    `${path}?${query}`,
  );
  return (
    <>
      <form
        className="inline-form"
        aria-label={t('audit.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(filterQuery(new FormData(e.currentTarget)));
        }}
      >
        <Field label={t('audit.eventType')}>
          {(id) => (
            <select id={id} name="event_type" defaultValue="">
              <option value="">{t('audit.allEvents')}</option>
              {EVENT_TYPES.map((x) => (
                <option key={x} value={x} translate="no">
                  {x}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('audit.actor')}>{(id) => <input id={id} name="actor" autoComplete="off" />}</Field>
        <Field label={t('audit.from')}>{(id) => <input id={id} name="from" type="date" />}</Field>
        <Field label={t('audit.to')}>{(id) => <input id={id} name="to" type="date" />}</Field>
        <button type="submit" className="secondary">
          {t('audit.apply')}
        </button>
      </form>
      <ErrorNote error={pages.error} />
      {!pages.data && !pages.error ? <Loading /> : null}
      {pages.data?.data.length === 0 ? <p className="muted">{t('audit.none')}</p> : null}
      {pages.data && pages.data.data.length > 0 ? (
        <DataTable headers={[t('requests.time'), t('audit.event'), t('audit.actor'), t('audit.details')]}>
          {pages.data.data.map((e) => (
            <tr key={e.id} data-type={e.type}>
              <td>{formatTime(e.effective_at, lang)}</td>
              <td>
                <code>{e.type}</code>
              </td>
              <td>
                <Actor actor={e.actor} />
              </td>
              <td>
                <code className="json">{JSON.stringify(e[e.type] ?? {})}</code>
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      <Pager pages={pages} label={t('nav.auditLog')} />
    </>
  );
}
