/**
 * The `tollgate` package as another program imports it: plain Node (no test-runner alias), from a
 * workspace package, resolves `tollgate` to the built `dist/index.js` that package.json names, and
 * what it exports starts a gateway that answers over HTTP like the source does.
 */
import { expect, it } from 'vitest';
import { ApiError, errorResponse } from 'tollgate';
import { ADMIN_KEY } from './support/admin.js';
import { execFileChild as run } from './support/children.js';

const CLIENT_DIR = new URL('../../client/', import.meta.url).pathname;
const PUBLIC_URL = 'http://gateway.test';

// Run as an ES module from packages/client, so `tollgate` resolves as that package would see it.
const SCRIPT = `
import * as tollgate from 'tollgate';
const config = tollgate.parseConfig(
  { server: { host: '127.0.0.1', port: 0, public_url: '${PUBLIC_URL}' }, database: { url: 'sqlite::memory:' }, logging: { level: 'silent' } },
  { TOLLGATE_ADMIN_KEY: '${ADMIN_KEY}' },
);
const gateway = await tollgate.createGateway(config, { env: { TOLLGATE_ADMIN_KEY: '${ADMIN_KEY}' } });
const url = await gateway.listen(0, '127.0.0.1');
const health = await fetch(url + '/healthz');
const models = await fetch(url + '/v1/models');
const orgs = await fetch(url + '/admin/v1/organizations', { headers: { authorization: 'Bearer ${ADMIN_KEY}' } });
console.log(JSON.stringify({
  resolved: import.meta.resolve('tollgate'),
  exports: Object.keys(tollgate).sort(),
  health: health.status,
  models: { status: models.status, body: await models.json() },
  orgs: orgs.status,
}));
await gateway.close();
`;

it('resolves to dist/index.js and starts a gateway that serves health, refuses a keyless call from the catalog and admits the admin key', async () => {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: CLIENT_DIR, timeout: 60_000 });
  const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
  expect(out.resolved).toMatch(/\/packages\/gateway\/dist\/index\.js$/);
  expect(out.exports).toEqual(expect.arrayContaining(['createGateway', 'loadConfig', 'parseConfig', 'ApiError', 'CATALOG', 'FakeClock', 'systemClock', 'openStore', 'connectRedis', 'MemoryCounterStore', 'RedisCounterStore', 'runCli']));
  expect(out.health).toBe(200);
  const refusal = errorResponse(new ApiError('missing_api_key'), PUBLIC_URL);
  expect(out.models).toEqual({ status: refusal.status, body: refusal.body });
  expect(out.orgs).toBe(200);
}, 90_000);
