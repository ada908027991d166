/**
 * Usage: cost or activity per minute, hour or day for a chosen period, grouped by project, model,
 * key or (activity only) user, as a chart and a table of totals, with a CSV of exactly what is
 * shown. The numbers are the Costs and Usage APIs' own (the server aggregates; nothing is summed
 * from raw rows here).
 */
import { useState } from 'react';
import { Money } from '../components/Money';
import { viewerTimeZone } from '../lib/time';
import { DataTable, ErrorNote, Field, Loading, PageTitle } from '../components/ui';
import { useLoad } from '../components/use-load';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import { Chart } from './usage/Chart';
import { groupsFor, loadReport, toCsv, totalOf, type GroupBy, type Metric, type Width } from './usage/report';

const PERIODS = { hour: { seconds: 3600, width: '1m' }, day: { seconds: 86_400, width: '1h' }, week: { seconds: 7 * 86_400, width: '1d' }, month: { seconds: 30 * 86_400, width: '1d' } } as const;
type Period = keyof typeof PERIODS;
const METRICS: Metric[] = ['cost', 'requests', 'input_tokens', 'output_tokens'];

export function UsagePage() {
  const { t, lang } = useI18n();
  const [period, setPeriod] = useState<Period>('week');
  const [groupBy, setGroupBy] = useState<GroupBy>('none');
  const [metric, setMetric] = useState<Metric>('cost');
  const groups = groupsFor(metric);
  // A grouping the new metric has not (cost by user) falls back to none.
  const chooseMetric = (m: Metric) => {
    setMetric(m);
    if (!groupsFor(m).includes(groupBy)) setGroupBy('none');
  };
  const width: Width = PERIODS[period].width;
  const report = useLoad(() => {
    const end = Math.floor(Date.now() / 1000);
    return loadReport({ start: end - PERIODS[period].seconds, end, width, groupBy, metric });
  }, [period, groupBy, metric]);
  const totals = report.data ? [...report.data.series.keys()].map((g) => [g, totalOf(report.data!, g)] as const) : [];

  const download = () => {
    if (!report.data) return;
    const url = URL.createObjectURL(new Blob([toCsv(report.data, metric)], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `tollgate-${metric}-${period}-${groupBy}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <>
      <PageTitle title={t('usage.title')}>
        <button type="button" className="secondary" onClick={download} disabled={!report.data}>
          {t('usage.csv')}
        </button>
      </PageTitle>
      <div className="inline-form">
        <Choice<Period> label={t('usage.period')} value={period} options={Object.keys(PERIODS) as Period[]} onChange={setPeriod} name={(p) => t(`usage.period.${p}` as MessageKey)} />
        <Choice<Metric> label={t('usage.metric')} value={metric} options={METRICS} onChange={chooseMetric} name={(m) => t(`usage.metric.${m}` as MessageKey)} />
        <Choice<GroupBy> label={t('usage.groupBy')} value={groupBy} options={groups} onChange={setGroupBy} name={(g) => t(`usage.group.${g}` as MessageKey)} />
      </div>
      <p className="muted">
        {/* Chinese sentences follow each other without a space. */}
        {t(`usage.width.${width}` as MessageKey)}
        {lang === 'zh-CN' ? '' : ' '}
        {t('usage.zone', { zone: viewerTimeZone() })}
      </p>
      <ErrorNote error={report.error} />
      {!report.data && !report.error ? <Loading /> : null}
      {report.data ? (
        <>
          <Chart report={report.data} lang={lang} money={report.data.exact !== undefined} label={t('usage.chartLabel', { metric: t(`usage.metric.${metric}` as MessageKey) })} />
          {totals.length === 0 ? <p className="muted">{t('usage.empty')}</p> : null}
          {totals.length > 0 ? (
            <DataTable headers={[t('usage.groupBy'), t('usage.total')]}>
              {totals.map(([g, v]) => (
                <tr key={g} data-group={g}>
                  <td>{g === 'total' ? t('usage.group.none') : <code>{g}</code>}</td>
                  <td data-value={v.exact ?? v.value}>{v.exact !== undefined ? <Money usd={v.value} exact={v.exact} /> : v.value.toLocaleString(lang)}</td>
                </tr>
              ))}
            </DataTable>
          ) : null}
        </>
      ) : null}
    </>
  );
}

/** A labelled select over a fixed list of values. */
function Choice<T extends string>(p: { label: string; value: T; options: readonly T[]; onChange(v: T): void; name(v: T): string }) {
  return (
    <Field label={p.label}>
      {(id) => (
        <select id={id} value={p.value} onChange={(e) => p.onChange(e.target.value as T)}>
          {p.options.map((o) => (
            <option key={o} value={o}>
              {p.name(o)}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
