/**
 * Usage: cost or activity per minute, hour or day for a chosen period, grouped by project, model,
 * key or (activity only) user, as a chart and a table of totals, with a CSV of exactly what is
 * shown. The numbers are the Costs and Usage APIs' own (the server aggregates; nothing is summed
 * from raw rows here). Projects, keys, members and service accounts are shown by name, with their
 * ids beside them (name-directory.ts reads the names from the lists the API already has).
 */
import { useState } from 'react';
import { Money } from '../components/Money';
import { NamedId } from '../components/NamedId';
import { viewerTimeZone } from '../lib/time';
import { DataTable, ErrorNote, Field, Loading, PageTitle } from '../components/ui';
import { useLoad } from '../components/use-load';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';
import { Chart } from './usage/Chart';
import { groupNames, legendLabels, namedGroups, toCsv, totalOf, type GroupBy, type GroupName, type Metric, type Report, type Width } from './usage/groups';
import { NameDirectory } from './usage/name-directory';
import { groupsFor, loadReport } from './usage/report';

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
  const [directory] = useState(() => new NameDirectory());
  const view = useLoad(async (): Promise<View> => {
    const since = Date.now();
    const end = Math.floor(since / 1000);
    // The names' lists are read while the report is: what a grouping needs is known up front.
    const early = namedGroups(groupBy) ? directory.lists(groupBy, [], since).catch(() => undefined) : undefined;
    const report = await loadReport({ start: end - PERIODS[period].seconds, end, width, groupBy, metric });
    const found = [...report.series.keys()];
    let names = new Map<string, GroupName>();
    let namesFailed = false;
    if (namedGroups(groupBy)) {
      await early;
      try {
        names = groupNames(groupBy, found, await directory.lists(groupBy, found, since));
      } catch {
        // Without names the numbers still stand: the groups are shown by id.
        namesFailed = true;
      }
    }
    return { report, metric, groupBy, width, names, labels: legendLabels(found, names), namesFailed };
  }, [period, groupBy, metric]);
  const report = view.data?.report;
  const names = view.data?.names ?? new Map<string, GroupName>();
  const shownBy = view.data?.groupBy ?? groupBy;
  const shownMetric = view.data?.metric ?? metric;
  const totals = report ? [...report.series.keys()].map((g) => [g, totalOf(report, g)] as const) : [];

  const download = () => {
    if (!report) return;
    const url = URL.createObjectURL(new Blob([toCsv(report, shownMetric, shownBy, names)], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `tollgate-${shownMetric}-${period}-${shownBy}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <>
      <PageTitle title={t('usage.title')}>
        <button type="button" className="secondary" onClick={download} disabled={!report}>
          {t('usage.csv')}
        </button>
      </PageTitle>
      <div className="inline-form">
        <Choice<Period> label={t('usage.period')} value={period} options={Object.keys(PERIODS) as Period[]} onChange={setPeriod} name={(p) => t(`usage.period.${p}` as MessageKey)} />
        <Choice<Metric> label={t('usage.metric')} value={metric} options={METRICS} onChange={chooseMetric} name={(m) => t(`usage.metric.${m}` as MessageKey)} />
        <Choice<GroupBy> label={t('usage.groupBy')} value={groupBy} options={groups} onChange={setGroupBy} name={(g) => t(`usage.group.${g}` as MessageKey)} />
      </div>
      <p className="muted">
        {t(`usage.width.${width}` as MessageKey)}
        {/* Days are UTC days, dated in UTC: only minutes and hours are shown in the viewer's zone. Chinese sentences follow each other without a space. */}
        {width === '1d' ? null : `${lang === 'zh-CN' ? '' : ' '}${t('usage.zone', { zone: viewerTimeZone() })}`}
      </p>
      <ErrorNote error={view.error} />
      {!report && !view.error ? <Loading /> : null}
      {report ? (
        <>
          <Chart report={report} labels={view.data!.labels} lang={lang} money={report.exact !== undefined} utcDays={view.data!.width === '1d'} label={t('usage.chartLabel', { metric: t(`usage.metric.${metric}` as MessageKey) })} />
          {view.data?.namesFailed ? <p className="muted">{t('usage.namesFailed')}</p> : null}
          {totals.length === 0 ? <p className="muted">{t('usage.empty')}</p> : null}
          {totals.length > 0 ? (
            <DataTable headers={[shownBy === 'none' ? t('usage.groupBy') : t(`usage.group.${shownBy}` as MessageKey), t('usage.total')]}>
              {totals.map(([g, v]) => (
                <tr key={g} data-group={g}>
                  <td>{g === 'total' ? t('usage.group.none') : <GroupCell id={g} name={names.get(g)} />}</td>
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

interface View {
  report: Report;
  /** What the report was asked for (the selects may have moved on while it loaded). */
  metric: Metric;
  groupBy: GroupBy;
  /** Its points' width: daily points are dated in UTC. */
  width: Width;
  names: Map<string, GroupName>;
  /** The chart legend's label of each group. */
  labels: Map<string, string>;
  /** The lists of names could not be read: groups show their ids. */
  namesFailed: boolean;
}

/** A group in the table: its name, and under it its id (and a member's email, a key's project). */
function GroupCell({ id, name }: { id: string; name: GroupName | undefined }) {
  const { t } = useI18n();
  if (!name) return <code>{id}</code>;
  const about = [name.serviceAccount ? t('usage.serviceAccount') : undefined, name.email, name.project ? t('usage.inProject', { project: name.project }) : undefined].filter((x) => x !== undefined);
  return <NamedId id={id} name={name.name} about={about} />;
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
