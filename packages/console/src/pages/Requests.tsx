/**
 * Requests: paste an `x-request-id` (the id, or the header line `curl -i` prints) and see what
 * happened to it (GET /v1/organization/requests/{id}; only the viewer's organization's
 * requests): time in the viewer's zone and in UTC, project and key by name with their ids (the
 * key's redacted value, never its secret; requests/names.ts), model asked for and served,
 * status, the error with its cause and fix from the error catalog (and, as the error guide says
 * for the platform's own failures, a link to the status page), tokens, cost, latency; and a
 * button that copies the support report.
 *
 * A lookup is a page of its own, `/requests/<id>` (`/requests?id=<id>` leads there too), so a
 * link to it can be shared and opening the link runs the lookup. While a lookup runs, and when it
 * fails, nothing of an earlier one is shown: what is on screen always answers the id in the
 * heading.
 */
import { findEntry, pointsToStatusPage } from '@tollgate/protocol';
import { useEffect, useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { Money } from '../components/Money';
import { NamedId } from '../components/NamedId';
import { CopyButton, ErrorNote, Field, PageTitle } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { getOptional } from '../lib/api';
import { pageUrl, underBase } from '../lib/base';
import { ORG } from '../lib/org-api';
import { formatTime, isoUtc, viewerTimeZone } from '../lib/time';
import { useSignedIn } from '../session';
import { requestNames, type RequestNames } from './requests/names';
import { extractRequestId } from './requests/request-id';
import { supportReport, type RequestRecord } from './requests/support-report';

/** The page of one lookup. */
const lookupPath = (id: string): string => `/requests/${id}`;

/** Pasted text shown back in a message: one line, not too long. */
const shown = (text: string): string => {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
};

/** What the page was asked, as the URL says it: the id of `/requests/<id>` or of `?id=`. */
function useAsked(): { param: string | undefined; query: string | null } {
  const { requestId } = useParams();
  const [search] = useSearchParams();
  return { param: requestId, query: search.get('id') };
}

export function RequestsPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const location = useLocation();
  const asked = useAsked();
  // A press of "Look up" on the id already shown looks it up again.
  const [round, setRound] = useState(0);

  // `?id=` (a link typed by hand) and an id with something around it lead to the page of the id.
  const raw = asked.param ?? asked.query ?? undefined;
  const id = raw === undefined ? undefined : extractRequestId(raw);
  if (id !== undefined && (asked.query !== null || id !== asked.param)) return <Navigate to={lookupPath(id)} replace />;
  // Text that held no id: from the form (in the navigation's state) or from the URL.
  const invalid = raw !== undefined && id === undefined ? raw : (location.state as { invalid?: string } | null)?.invalid;

  const submit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const text = String(new FormData(e.currentTarget).get('request_id'));
    const found = extractRequestId(text);
    if (found === undefined) void navigate('/requests', { state: { invalid: text }, replace: asked.param === undefined });
    else if (found === id) setRound((r) => r + 1);
    else void navigate(lookupPath(found));
  };

  return (
    <>
      <PageTitle title={t('requests.title')} />
      <p className="muted">{t('requests.intro')}</p>
      <form className="inline-form" onSubmit={submit} noValidate>
        <Field label={t('requests.id')}>
          {(fieldId) => (
            // Afresh at each navigation: the box shows the id looked up (back and forward too), or
            // the text that held none, to be corrected.
            <input key={location.key} id={fieldId} name="request_id" defaultValue={id ?? invalid ?? ''} placeholder="req_…" required spellCheck={false} autoComplete="off" className="wide" aria-invalid={invalid !== undefined} />
          )}
        </Field>
        <button type="submit">{t('requests.lookUp')}</button>
      </form>
      {invalid !== undefined ? (
        <p className="error" role="alert">
          {invalid.trim() === '' ? t('requests.noId') : t('requests.notAnId', { text: shown(invalid) })}
        </p>
      ) : null}
      {id !== undefined ? <Lookup key={`${id}#${round}`} id={id} /> : null}
    </>
  );
}

/** The record with its names; none (no request has the id in this organization); or the lookup failed. */
type Outcome = { record: RequestRecord; names: RequestNames } | { record: null } | { error: unknown };

/** One lookup of `id`: mounted afresh for each, so nothing of another id's answer can show. */
function Lookup({ id }: { id: string }) {
  const { t } = useI18n();
  const [outcome, setOutcome] = useState<Outcome>();
  useEffect(() => {
    let live = true;
    // The record and the names of its project and key show together (requestNames never fails).
    // An id that names no request is an answer too (getOptional), not a failed request.
    getOptional<RequestRecord>(`${ORG}/requests/${encodeURIComponent(id)}`).then(
      async (record) => {
        const outcome = record ? { record, names: await requestNames(record) } : { record };
        if (live) setOutcome(outcome);
      },
      (error: unknown) => live && setOutcome({ error }),
    );
    return () => {
      live = false;
    };
  }, [id]);

  return (
    <section aria-labelledby="request-title" aria-busy={outcome === undefined} data-lookup={id}>
      <h2 id="request-title">
        <code>{id}</code>
      </h2>
      {outcome === undefined ? (
        <p className="muted" role="status">
          {t('requests.lookingUp', { id })}
        </p>
      ) : 'error' in outcome ? (
        <>
          <p className="error">{t('requests.lookupFailed', { id })}</p>
          <ErrorNote error={outcome.error} />
        </>
      ) : 'names' in outcome ? (
        <RequestDetails record={outcome.record} names={outcome.names} />
      ) : (
        <p className="error" role="alert">
          {t('requests.notFound', { id })}
        </p>
      )}
    </section>
  );
}

/** What the ledger knows of one request, with the support report and a link to copy. */
function RequestDetails({ record, names }: { record: RequestRecord; names: RequestNames }) {
  const { t, lang } = useI18n();
  const session = useSignedIn();

  // The catalog entry the error came from, as the answer names it (an upstream's own error has
  // none): the wire code alone is shared by several entries (rate_limit_exceeded).
  const catalogId = record.error?.catalog_id ?? null;
  const entry = catalogId !== null ? findEntry(catalogId) : undefined;
  const local = formatTime(record.created_at, lang);
  const rows: [string, React.ReactNode][] = [
    [t('requests.time'), `${local} (${viewerTimeZone()})`],
    [t('requests.timeUtc'), isoUtc(record.created_at)],
    [t('keys.project'), record.project_id === null ? '—' : names.project ? <NamedId id={record.project_id} name={names.project.name} about={names.project.archived ? [t('requests.projectArchived')] : []} /> : <code>{record.project_id}</code>],
    [t('requests.key'), <KeyName id={record.api_key_id} name={names.key} />],
    [t('requests.endpoint'), record.endpoint],
    [t('requests.modelAsked'), record.requested_model ?? '—'],
    [t('requests.modelServed'), record.model ?? (record.error ? t('requests.noModel') : '—')],
    [t('common.status'), record.status_code],
    [t('requests.tokens'), t(record.usage.estimated ? 'requests.tokensEstimated' : 'requests.tokensValue', { input: record.usage.input_tokens, output: record.usage.output_tokens })],
    [t('requests.cost'), <Money usd={record.cost.value} exact={record.cost.exact_value} />],
    [t('requests.latency'), t('requests.ms', { ms: record.latency_ms.toLocaleString(lang) })],
    [t('requests.upstreamId'), record.upstream_request_id ?? '—'],
  ];

  return (
    <>
      {record.error ? (
        <div className="error-box" data-error-code={record.error.code ?? ''}>
          <h3>{entry ? entry.title[lang] : t('requests.failed')}</h3>
          {record.error.message ? <p>{record.error.message}</p> : null}
          <dl className="details">
            {/* What the client saw in error.code; the catalog entry is Tollgate's finer name for it. */}
            <dt>{t('requests.errorCode')}</dt>
            <dd data-testid="error-code">
              <code>{record.error.code ?? 'null'}</code>
            </dd>
            {catalogId !== null ? (
              <>
                <dt>{t('requests.catalogEntry')}</dt>
                <dd data-testid="catalog-entry">
                  <a href={underBase(`docs/errors#${catalogId}`)}>
                    <code>{catalogId}</code>
                  </a>
                </dd>
              </>
            ) : null}
          </dl>
          {entry ? (
            <dl className="details">
              <dt>{t('requests.cause')}</dt>
              <dd>{entry.cause[lang]}</dd>
              <dt>{t('requests.fix')}</dt>
              <dd>{entry.fix[lang]}</dd>
              {pointsToStatusPage(entry) ? (
                <>
                  <dt>{t('requests.statusPage')}</dt>
                  <dd>
                    <a href={underBase('status')}>{t('requests.checkStatus')}</a>
                  </dd>
                </>
              ) : null}
            </dl>
          ) : null}
        </div>
      ) : (
        <p className="ok">{t('requests.succeeded')}</p>
      )}
      <dl className="details">
        {rows.map(([k, v]) => (
          <div key={k} className="row">
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {names.failed ? <p className="muted">{t('requests.namesFailed')}</p> : null}
      <p>
        <CopyButton text={supportReport(record, session.organization?.id ?? '', local)} label={t('requests.copyReport')} />{' '}
        <CopyButton text={pageUrl(lookupPath(record.id))} label={t('requests.copyLink')} />
      </p>
      <p className="muted">{t('requests.reportNote')}</p>
    </>
  );
}

/** The key by its name and redacted value, its id under them; a revoked key by its id, said revoked. */
function KeyName({ id, name }: { id: string; name: RequestNames['key'] }) {
  const { t } = useI18n();
  if (name === undefined) return <code>{id}</code>;
  if (name === 'revoked') return <NamedId id={id} name={t('requests.keyRevoked')} />;
  return (
    <NamedId
      id={id}
      name={
        <>
          {name.name} <code>{name.redacted}</code>
        </>
      }
    />
  );
}
