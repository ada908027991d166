import { createGateway } from '../app.js';
import { bootstrap } from '../bootstrap.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { flagString, parseCommand } from './args.js';
import { configPath } from './config-path.js';
import type { CliIo } from './main.js';

const HELP = `Usage: tollgate serve [--config FILE] [--port N] [--host HOST]

Runs the gateway. Without a config file it serves the built-in simulator models on SQLite
(./data/tollgate.db). On the first start it creates an organization, a user and an API key and
prints them once. SIGTERM or SIGINT drains in-flight requests, then exits 0.
`;

export async function serveCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommand(
    argv,
    {
      config: { value: true, placeholder: 'FILE', help: 'the config file' },
      port: { value: true, placeholder: 'N', help: 'listen port' },
      host: { value: true, placeholder: 'HOST', help: 'listen address' },
    },
    HELP,
    io,
  );
  if (!args) return 2;
  if (args.flags.has('help')) {
    io.stdout(HELP);
    return 0;
  }
  const env = { ...io.env };
  const port = flagString(args, 'port');
  const host = flagString(args, 'host');
  if (port !== undefined) env.TOLLGATE_PORT = port;
  if (host !== undefined) env.TOLLGATE_HOST = host;
  let config;
  try {
    config = loadConfig(configPath(flagString(args, 'config'), env), env);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr(`tollgate serve: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const gateway = await createGateway(config, { env });
  let first: Awaited<ReturnType<typeof bootstrap>>;
  let url: string;
  try {
    first = await bootstrap(gateway.services, config);
    url = await gateway.listen();
  } catch (e) {
    // Release the store, Redis and timers, or the failed process would linger without listening.
    await gateway.close().catch(() => undefined);
    throw e;
  }
  const lines = [`Tollgate listening on ${url}  (public URL ${config.server.public_url})`, `  OpenAI base URL: ${config.server.public_url}/v1`, `  error reference: ${config.server.public_url}/docs/errors`];
  if (first.adminKey) lines.push('', `  admin key (shown once; set ${config.admin_key_env} to use your own): ${first.adminKey}`);
  if (first.apiKey) lines.push(`  API key for ${first.orgId} (shown once): ${first.apiKey}`, '', `  try: curl ${config.server.public_url}/v1/chat/completions -H "Authorization: Bearer ${first.apiKey}" -H "Content-Type: application/json" -d '{"model":"${config.models[0]?.name ?? 'sim-small'}","messages":[{"role":"user","content":"Hello"}]}'`);
  io.stdout(lines.join('\n') + '\n');

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      gateway.log.info({ signal }, 'draining');
      gateway.close().then(resolve, (e: unknown) => {
        gateway.log.error({ err: e }, 'error while closing');
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  process.exit(0);
}
