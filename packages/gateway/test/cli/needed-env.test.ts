/**
 * A status webhook whose signing secret is not in the environment: `config check` and `serve`
 * refuse the config alike, exit 2 (a config error) with the field, the variable and the webhook's
 * origin, never its token; `serve` before it opens the database or connects to Redis.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { track } from '../support/children.js';
import { cliRunner } from '../support/cli.js';

const CLI = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const TOKEN = 'SECRETTOKEN-1a2b3c';
const MESSAGE = 'status.webhooks[0].secret_env: STATUS_WEBHOOK_SECRET is not set; the webhook https://chat.example.com/*** needs a signing secret';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-needed-env-'));
/** Stands where Redis would be: counts the connections made to it. */
let redis: Server;
let connections = 0;
let config: string;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -b\` (npm test builds first)`);
  redis = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => redis.listen(0, '127.0.0.1', r));
  const port = (redis.address() as { port: number }).port;
  config = join(dir, 'tollgate.yaml');
  writeFileSync(
    config,
    `redis: { url: "redis://127.0.0.1:${port}" }
status: { webhooks: [{ url: "https://chat.example.com/services/T1/B2/${TOKEN}", secret_env: STATUS_WEBHOOK_SECRET }] }
`,
  );
});
afterAll(async () => {
  await new Promise((r) => redis.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('a status webhook without its signing secret', () => {
  const { cli } = cliRunner(() => ({}));

  it('config check exits 2 naming the field and the webhook by its origin', async () => {
    const r = await cli(['config', 'check', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(MESSAGE);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
    expect((await cli(['config', 'check', '--config', config], { STATUS_WEBHOOK_SECRET: 'whsec-0123456789' })).code).toBe(0);
  });

  it('serve exits 2 with the same message, without opening the database or connecting to Redis', async () => {
    const child = track(spawn(process.execPath, [CLI, 'serve', '--config', config, '--port', '0'], { cwd: dir, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain(MESSAGE);
    expect(stdout + stderr).not.toContain(TOKEN);
    // Nothing started: no log line, no database file, no connection to Redis.
    expect(stdout).toBe('');
    expect(existsSync(join(dir, 'data'))).toBe(false);
    expect(connections).toBe(0);
  });
});

describe("a deployment's api_key_env that is not set", () => {
  const { cli } = cliRunner(() => ({}));
  const WARNING = 'warning: models[0].deployments[0].api_key_env: UPSTREAM_KEY is not set; requests to the deployment up#0 would go without an API key (leave api_key_env out if it needs none)';

  it('config check prints a warning on stderr and exits 0; with the variable set, no warning', async () => {
    const file = join(dir, 'upstream.yaml');
    writeFileSync(file, 'models:\n  - name: up\n    provider: openai-compatible\n    deployments: [{ base_url: "http://127.0.0.1:9/v1", api_key_env: UPSTREAM_KEY }]\n');
    const r = await cli(['config', 'check', '--config', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(WARNING);
    const set = await cli(['config', 'check', '--config', file], { UPSTREAM_KEY: 'sk-up-0123' });
    expect(set.code).toBe(0);
    expect(set.stderr).not.toContain('warning:');
    expect(set.stdout + set.stderr).not.toContain('sk-up-0123');
  });
});
