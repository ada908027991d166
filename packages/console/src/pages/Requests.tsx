/**
 * Requests: paste an `x-request-id` and see what happened to it (GET
 * /v1/organization/requests/{id}; only the viewer's organization's requests): time in the
 * viewer's zone and in UTC, project, key, model asked for and served, status, the error with its
 * cause and fix from the error catalog, tokens, cost, latency; and a button that copies the
 * support report.
 */
import { findEntry, matchEntry } from '@tollgate/protocol';
import { useState, type FormEvent } from 'react';
import { Money } from '../components/Money';
import { CopyButton, ErrorNote, Field, PageTitle } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { api } from '../lib/api';
import { ORG } from '../lib/org-api';
import { formatTime, isoUtc, viewerTimeZone } from '../lib/time';
import { useSignedIn } from '../session';
import { supportReport, type RequestRecord } from './requests/support-report';

export function RequestsPage() {
  const { t, lang } = useI18n();
  const session = useSignedIn();
  const [record, setRecord] = useState<RequestRecord>();
  const [error, setError] = useState<unknown>();

  const lookUp = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const id = String(new FormData(e.currentTarget).get('request_id')).trim();
    setError(undefined);
    setRecord(undefined);
    try {
      setRecord(await api<RequestRecord>('GET', `${ORG}/requests/${encodeURIComponent(id)}`));
    } catch (err) {
      setError(err);
    }
  };

  // The ledger keeps the catalog id, or the code the caller got: either finds the catalog entry.
  const entry = record?.error ? (findEntry(record.error.code) ?? matchEntry(record.status_code, undefined, record.error.code, record.error.message ?? undefined)) : undefined;
  const local = record ? formatTime(record.created_at, lang) : '';
  const rows: [string, React.ReactNode][] = record
    ? [
        [t('requests.time'), `${local} (${viewerTimeZone()})`],
        [t('requests.timeUtc'), isoUtc(record.created_at)],
        [t('keys.project'), record.project_id ?? '—'],
        [t('requests.key'), record.api_key_id],
        [t('requests.endpoint'), record.endpoint],
        [t('requests.modelAsked'), record.requested_model ?? '—'],
        [t('requests.modelServed'), record.model ?? '—'],
        [t('common.status'), record.status_code],
        [t('requests.tokens'), t(record.usage.estimated ? 'requests.tokensEstimated' : 'requests.tokensValue', { input: record.usage.input_tokens, output: record.usage.output_tokens })],
        [t('requests.cost'), <Money usd={record.cost.value} exact={record.cost.exact_value} />],
        [t('requests.latency'), t('requests.ms', { ms: record.latency_ms.toLocaleString(lang) })],
        [t('requests.upstreamId'), record.upstream_request_id ?? '—'],
      ]
    : [];

  return (
    <>
      <PageTitle title={t('requests.title')} />
      <p className="muted">{t('requests.intro')}</p>
      <form className="inline-form" onSubmit={(e) => void lookUp(e)}>
        <Field label={t('requests.id')}>{(id) => <input id={id} name="request_id" required pattern="\s*\S+\s*" spellCheck={false} className="wide" />}</Field>
        <button type="submit">{t('requests.lookUp')}</button>
      </form>
      <ErrorNote error={error} />
      {record ? (
        <section aria-labelledby="request-title">
          <h2 id="request-title">
            <code>{record.id}</code>
          </h2>
          {record.error ? (
            <div className="error-box" data-error-code={record.error.code}>
              <h3>{entry ? entry.title[lang] : t('requests.failed')}</h3>
              <p>
                <code>{record.error.code}</code>
                {record.error.message ? <> · {record.error.message}</> : null}
              </p>
              {entry ? (
                <dl className="details">
                  <dt>{t('requests.cause')}</dt>
                  <dd>{entry.cause[lang]}</dd>
                  <dt>{t('requests.fix')}</dt>
                  <dd>{entry.fix[lang]}</dd>
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
          <p>
            <CopyButton text={supportReport(record, session.organization?.id ?? '', local)} label={t('requests.copyReport')} />
          </p>
          <p className="muted">{t('requests.reportNote')}</p>
        </section>
      ) : null}
    </>
  );
}
