/**
 * The Usage page's groups by name: projects, keys, members and service accounts are named from
 * the lists the API gives (an id no list has stays an id), the chart legend tells two groups of
 * the same name apart, and the CSV keeps the id and its columns where they were, with the name
 * last (quoted, and never run as a formula by a spreadsheet).
 */
import { describe, expect, it } from 'vitest';
import { groupNames, legendLabels, toCsv, type NameLists, type Report } from '../src/pages/usage/groups.js';

const project = { id: 'proj_a', name: 'Checkout' };
const lists: NameLists = {
  projects: [project, { id: 'proj_b', name: 'Archived, old' }],
  users: [
    { id: 'user-1', name: 'Ada Lovelace', email: 'ada@example.com' },
    { id: 'user-2', name: '', email: 'bob@example.com' },
  ],
  keys: [
    { id: 'key_1', name: 'ci', project },
    { id: 'key_2', name: 'ci', project: { id: 'proj_b', name: 'Archived, old' } },
    { id: 'key_3', name: '=HYPERLINK("x")', project },
  ],
  serviceAccounts: [{ id: 'svc_acct_1', name: 'nightly-bot', project }],
};

describe('usage groups by name', () => {
  it('names projects, keys, members (by email when unnamed) and service accounts; leaves the unknown out', () => {
    expect([...groupNames('project_id', ['proj_a', 'proj_gone', '—'], lists)]).toEqual([['proj_a', { name: 'Checkout' }]]);
    expect(groupNames('api_key_id', ['key_1', 'key_revoked'], lists)).toEqual(new Map([['key_1', { name: 'ci', project: 'Checkout' }]]));
    expect(groupNames('user_id', ['user-1', 'user-2', 'svc_acct_1', 'user-removed'], lists)).toEqual(
      new Map([
        ['user-1', { name: 'Ada Lovelace', email: 'ada@example.com' }],
        ['user-2', { name: 'bob@example.com' }],
        ['svc_acct_1', { name: 'nightly-bot', project: 'Checkout', serviceAccount: true }],
      ]),
    );
    // Models and the total are not ids: nothing to look up.
    expect(groupNames('model', ['sim-small'], lists).size).toBe(0);
  });

  it('labels the legend by name, with the id where two groups share a name, and by id where unnamed', () => {
    const names = groupNames('api_key_id', ['key_1', 'key_2', 'key_3', 'key_revoked'], lists);
    expect(legendLabels(['key_1', 'key_2', 'key_3', 'key_revoked'], names)).toEqual(
      new Map([
        ['key_1', 'ci (key_1)'],
        ['key_2', 'ci (key_2)'],
        ['key_3', '=HYPERLINK("x")'],
        ['key_revoked', 'key_revoked'],
      ]),
    );
    expect(legendLabels(['key_1'], names)).toEqual(new Map([['key_1', 'ci']]));
  });

  it('writes the CSV with the id, the value where it was, and the name last', () => {
    const report: Report = {
      times: [0, 86_400],
      series: new Map([
        ['proj_a', [1, 2]],
        ['proj_b', [0, 3]],
        ['proj_gone', [4, 0]],
      ]),
    };
    const names = groupNames('project_id', report.series.keys(), lists);
    expect(toCsv(report, 'requests', 'project_id', names).split('\n')).toEqual([
      'bucket_start_utc,group,requests,group_name',
      '1970-01-01T00:00:00.000Z,proj_a,1,Checkout',
      '1970-01-01T00:00:00.000Z,proj_b,0,"Archived, old"',
      '1970-01-01T00:00:00.000Z,proj_gone,4,',
      '1970-01-02T00:00:00.000Z,proj_a,2,Checkout',
      '1970-01-02T00:00:00.000Z,proj_b,3,"Archived, old"',
      '1970-01-02T00:00:00.000Z,proj_gone,0,',
      '',
    ]);
    const keys: Report = { times: [0], series: new Map([['key_3', [0.5]]]), exact: new Map([['key_3', [500_000_000_000n]]]) };
    expect(toCsv(keys, 'cost', 'api_key_id', groupNames('api_key_id', ['key_3'], lists))).toBe('bucket_start_utc,group,cost,group_name\n1970-01-01T00:00:00.000Z,key_3,0.5,"\'=HYPERLINK(""x"")"\n');
    // A model is its own name.
    expect(toCsv({ times: [0], series: new Map([['sim-small', [7]]]) }, 'requests', 'model', new Map())).toBe('bucket_start_utc,group,requests,group_name\n1970-01-01T00:00:00.000Z,sim-small,7,sim-small\n');
  });
});
