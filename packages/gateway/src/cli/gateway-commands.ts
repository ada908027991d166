/**
 * The commands that run here rather than call a gateway: serve, config, simulate, docs and
 * batch. Their code is loaded only when run, so that the admin verbs start without loading the
 * gateway.
 * @module
 */
import { CATALOG } from '@tollgate/protocol';
import { valueFlag } from './args.js';
import type { LocalCommandSpec, RawCommandSpec } from './command.js';
import { EXIT, exitHelp } from './exit.js';

/**
 * The exit codes of a command that serves until a signal stops it (serve, simulate): they differ
 * only in what can fail the start, named by `startFailures`.
 */
function serverExitCodes(startFailures: string, otherFailure?: string): string {
  return exitHelp([
    [EXIT.ok, 'stopped cleanly (SIGTERM or SIGINT)'],
    [EXIT.failed, `failed to start (e.g. ${startFailures})${otherFailure ? `, or ${otherFailure}` : ''}`],
    [EXIT.usage, 'usage or config error'],
  ]);
}

/** `--config` of serve and config check: the same file either way (config-path.ts). */
const CONFIG_FLAG = valueFlag('FILE', 'the config file (default $TOLLGATE_CONFIG, else ./tollgate.yaml when present)');

export const SERVE: LocalCommandSpec = {
  resource: 'serve',
  summary: 'run the gateway',
  args: [],
  flags: { config: CONFIG_FLAG, port: valueFlag('N', 'listen port'), host: valueFlag('HOST', 'listen address'), workers: valueFlag('N', "gateway processes on the one port (default 1; 'auto': one per core; more than one needs Redis)") },
  details: `Without a config file it serves the built-in simulator models on SQLite (./data/tollgate.db).
On the first start it creates an organization, a user, an API key and (unless TOLLGATE_ADMIN_KEY
is set) an admin key, and saves the keys to ./data/first-start-credentials.env (readable only by
you; when that file is another database's, to first-start-credentials-<id>.env beside it); they
are shown on the terminal too when stderr is one, never in the logs. The file also sets
TOLLGATE_URL, TOLLGATE_HOST and TOLLGATE_PORT, so that in a shell that sourced it the admin verbs,
config check and serve all name the gateway that made it.
SIGTERM or SIGINT drains in-flight requests, then exits 0; the last log line, 'stopped', says
how long the drain took and how many requests it answered (or cut at server.shutdown_grace_ms).
--workers N runs N gateway processes on the one port (auto: one per core); more than one needs
Redis (redis.url or redis.cluster_nodes), where the processes count limits and quotas together.
Each worker drains and logs its own 'stopped'; then the primary's 'stopped', the last line, sums
their figures and lists each worker's exit, and it exits 1 if a worker did not stop cleanly.`,
  // What serve.ts and main.ts return: a failed start throws (EADDRINUSE as EXIT.failed, the others
  // through main's catch), a config or option mistake is a usage error.
  exitCodes: serverExitCodes('the port in use, the SQLite database (without Redis) or the usage journal in use by another gateway, another key-hashing secret', 'with --workers, a worker did not stop cleanly'),
  local: async (a, io) => (await import('./serve.js')).serveCommand(a, io),
};

/**
 * The help lists exactly the faults `parseFault` accepts: every id of the error catalog (read from
 * it, so the list cannot name a fault that does not exist) plus the two transport faults.
 */
export const SIMULATE: LocalCommandSpec = {
  resource: 'simulate',
  summary: 'serve the simulator engine alone over HTTP: OpenAI-compatible, no API keys',
  args: [],
  flags: {
    port: valueFlag('N', 'listen port (default 8081)'),
    host: valueFlag('HOST', 'listen address (default 127.0.0.1)'),
    config: valueFlag('FILE', 'the config file'),
    'allow-fault-header': { value: false, help: 'honour x-tollgate-fault' },
  },
  details: `Models come from the config (every model is served by the simulator here, whatever its
provider) or the built-in defaults. SIGTERM or SIGINT stops it at once, cutting what is in
flight, and its last line says so.

With --allow-fault-header, a request with 'x-tollgate-fault: <fault>' fails as asked:
  <error id>          fail with that catalog error before any output
  <error id>@<n>      on a stream: fail after n content chunks (mid-stream error frame)
  stall[@<n>]         send n content chunks, then nothing (tests idle and first-byte timeouts)
  disconnect[@<n>]    close the connection after n content chunks
Error ids (GET /docs/errors explains each):
${wrap(
  CATALOG.map((e) => e.id).join(', '),
  76,
  '  ',
)}`,
  exitCodes: serverExitCodes('the port in use'),
  local: async (a, io) => (await import('./simulate.js')).simulateCommand(a, io),
};

export const DOCS: LocalCommandSpec = {
  resource: 'docs',
  verb: 'errors',
  summary: 'print the error reference generated from the catalog (both languages by default)',
  args: [],
  flags: { lang: valueFlag('LANG', 'en or zh-CN') },
  exitCodes: exitHelp([
    [EXIT.ok, 'printed'],
    [EXIT.usage, 'usage error'],
  ]),
  local: async (a, io) => (await import('./docs.js')).docsCommand(a, io),
};

/**
 * `config check`, and `config show` the same under another name: what `serve` would run with.
 * `summary` is the verb's line in the help.
 */
function configVerb(verb: string, summary: string): LocalCommandSpec {
  return {
    resource: 'config',
    verb,
    summary,
    args: [],
    flags: { config: CONFIG_FLAG, json: { value: false, help: 'print JSON (with "source": the file, null for the built-in defaults) instead of YAML' } },
    details: `Reads the config as \`tollgate serve\` does: the file, the environment's overrides (TOLLGATE_PORT,
TOLLGATE_DATABASE_URL, ...) and every check, among them that the secrets the config names a
variable for are set (a status webhook's secret_env, a deployment's api_key_env, the OIDC
client_secret_env), and prints the configuration the gateway would run with, every default
filled in (secret_file and usage.journal_path: the files serve would use). It starts nothing and connects to nothing (the database, Redis and the upstreams are
not tried). Secrets are never printed: the admin key, the key-hashing secret and
the metrics token show as set or not set; URLs lose their user, password and query values, and
upstream headers their values. An invalid config prints the problems \`serve\` would, on stderr.`,
    exitCodes: exitHelp([
      [EXIT.ok, 'the config is valid (printed)'],
      [EXIT.usage, 'usage or config error'],
    ]),
    local: async (a, io) => (await import('./config-check.js')).configCheckCommand(a, io),
  };
}

export const CONFIG_CHECK = configVerb('check', 'check the config and print the effective configuration (defaults filled in, secrets hidden)');
export const CONFIG_SHOW = configVerb('show', 'the same as config check');

/** `batch` is the client library's command: it reads its own options (-o, -c, --base-url, ...). */
export const BATCH: RawCommandSpec = {
  resource: 'batch',
  summary: 'run an OpenAI Batch-format file through the API',
  args: ['requests.jsonl'],
  flags: {},
  raw: async (argv, io) => {
    const { batchCommand } = await import('@tollgate/client/node');
    return batchCommand(argv, { stdout: process.stdout, stderr: process.stderr, env: io.env });
  },
};

export const GATEWAY_COMMANDS = [SERVE, CONFIG_CHECK, CONFIG_SHOW, SIMULATE, DOCS, BATCH] as const;

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}
