/**
 * `@tollgate/client` attaches the open status-page incident to the hint of a server-side error:
 * it reads status.json (cached), and only when something is wrong the unresolved incidents,
 * choosing the one the gateway's `x-tollgate-incident` header names (or that names the model).
 */
import { APIError, EngineOverloadedError, InvalidRequestError, ServiceUnavailableError, Tollgate } from '@tollgate/client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TestGateway } from '../support/gateway.js';
import { statusGateway } from './helpers.js';

let g: TestGateway;
const paths: string[] = [];
let client: Tollgate;

beforeAll(async () => {
  ({ g } = await statusGateway());
  client = new Tollgate({
    apiKey: g.apiKey,
    baseURL: g.baseURL,
    maxRetries: 0,
    fetch: (input, init) => {
      paths.push(new URL(String(input)).pathname);
      return fetch(input, init);
    },
  });
});
afterAll(async () => {
  await g?.close();
});

const call = (model: string, fault?: string) =>
  client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }, fault ? { headers: { 'x-tollgate-fault': fault } } : {}).then(
    () => undefined,
    (e: unknown) => e,
  );

it('no incident: a server error has no incident, and only status.json was read', async () => {
  const err = await call('sim-large', 'server_error');
  expect(err).toBeInstanceOf(APIError);
  expect((err as APIError).hint.incident).toBeUndefined();
  expect(paths.filter((p) => p.startsWith('/api/v2/'))).toEqual(['/api/v2/status.json']);
});

it('an open incident on the model is attached to ServiceUnavailableError and overload hints', async () => {
  const opened = await g.admin('POST', '/admin/v1/status/incidents', { name: 'Elevated error rate on sim-large', body: 'We are investigating a major outage on sim-large.', components: { 'sim-large': 'major_outage' } });
  // A fresh client: the previous one cached "all operational" for 30 s, as it should.
  client = client.withOptions({});
  paths.length = 0;
  const err = (await call('sim-large', 'upstream_unavailable')) as ServiceUnavailableError;
  expect(err).toBeInstanceOf(ServiceUnavailableError);
  expect(err.headers?.get('x-tollgate-incident')).toMatch(new RegExp(`^${opened.body.id}; status=investigating; url=`));
  expect(err.hint.incident).toEqual({
    id: opened.body.id,
    name: 'Elevated error rate on sim-large',
    status: 'investigating',
    impact: 'critical',
    url: `http://gateway.test/status/incidents/${opened.body.id}`,
    latest: 'We are investigating a major outage on sim-large.',
    updatedAt: opened.body.updated_at,
  });
  expect(err.hintIn('zh-CN').incident?.id).toBe(opened.body.id);

  const over = (await call('sim-large', 'engine_overloaded')) as EngineOverloadedError;
  expect(over).toBeInstanceOf(EngineOverloadedError);
  expect(over.hint.incident?.id).toBe(opened.body.id);
  // Both documents were read once and then served from the cache.
  expect(paths.filter((p) => p.startsWith('/api/v2/'))).toEqual(['/api/v2/status.json', '/api/v2/incidents/unresolved.json']);

  // Another model's server error does not get this model's incident.
  const other = (await call('sim-small', 'server_error')) as APIError;
  expect(other.hint.incident).toBeUndefined();
  // A caller error never looks the status page up.
  const bad = (await client.chat.completions.create({ model: 'sim-large', messages: 'x' as never }).catch((e: unknown) => e)) as InvalidRequestError;
  expect(bad).toBeInstanceOf(InvalidRequestError);
  expect(bad.hint.incident).toBeUndefined();
});

it('statusPage: false turns the lookup off', async () => {
  const quiet = client.withOptions({ statusPage: false });
  paths.length = 0;
  const err = (await quiet.chat.completions.create({ model: 'sim-large', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-tollgate-fault': 'server_error' } }).catch((e: unknown) => e)) as APIError;
  expect(err.hint.incident).toBeUndefined();
  expect(paths.filter((p) => p.startsWith('/api/v2/'))).toEqual([]);
});
