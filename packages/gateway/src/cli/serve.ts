import { existsSync } from 'node:fs';
import { pino } from 'pino';
import { createGateway } from '../app.js';
import { bootstrap, type FirstStart } from '../bootstrap.js';
import { journalPathFor } from '../config/data-dir.js';
import { CONFIG_FLAGS } from '../config/env.js';
import { createLogger } from '../logger.js';
import type { CredentialsFile } from '../first-start-credentials.js';
import { CommandError } from './args.js';
import type { Args } from './command.js';
import type { CliIo } from './io.js';
import { loadCommandConfig } from './config-path.js';
import { EXIT } from './exit.js';
import { reportStopped, type StopFigures } from './worker-stops.js';
import { parseWorkers, reportServing, runPrimary, workerJournalPath, workerSlot, workersProblem } from './workers.js';

/** `tollgate serve`: runs the gateway until SIGTERM or SIGINT (see the command's help). */
export async function serveCommand(args: Args, io: CliIo): Promise<number> {
  const env = { ...io.env };
  // --port and --host override the file and the environment, and a wrong value is named by the option.
  const flags = Object.fromEntries(CONFIG_FLAGS.map((f) => [f, args.str(f)]));
  let config = loadCommandConfig(args.str('config'), env, { flags });
  // `ps` and `top` show "tollgate serve" instead of node and a path to dist/cli/main.js.
  process.title = 'tollgate serve';
  const workers = parseWorkers(args.str('workers'));
  if (typeof workers === 'string') throw new CommandError(workers, EXIT.usage);
  const slot = workerSlot(env);
  if (slot === undefined && workers > 1) {
    const problem = workersProblem(workers, config.redis !== null);
    if (problem) throw new CommandError(problem, EXIT.usage);
    // The primary serves nothing; it logs as the workers do. Its lines are written at once: its
    // last two come just before it exits, and buffered they could reach the log out of order.
    const log = createLogger(config.logging.level, pino.destination({ dest: 1, sync: true }));
    process.exit(await runPrimary(workers, { stderr: io.stderr, log }));
  }
  if (slot !== undefined) config = { ...config, usage: { ...config.usage, journal_path: workerJournalPath(journalPathFor(config), slot) } };
  // A worker's every line names it (`"worker":1`): bound once, on the logger the whole gateway uses.
  const logger = slot === undefined ? undefined : createLogger(config.logging.level, undefined, { logPrompts: config.logging.log_prompts }).child({ worker: slot });
  const gateway = await createGateway(config, { env, ...(logger === undefined ? {} : { logger }) });
  const credentialsFile = gateway.services.credentialsFile;
  let first: FirstStart;
  let url: string;
  try {
    // Listen first: the first organization's API key is made only once it can be used.
    url = await gateway.listen();
    first = await bootstrap(gateway.services, config, { credentialsFile });
  } catch (e) {
    // Release the store, Redis and timers, or the failed process would linger without listening.
    await gateway.close().catch(() => undefined);
    if (gateway.services.generatedAdminKey) io.stderr(`tollgate serve: the admin key made on this start is saved in ${credentialsFile.path()}\n`);
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new CommandError(
        `${config.server.host}:${config.server.port} is in use by another process (EADDRINUSE). ` +
          'Stop it, or choose another port with --port or TOLLGATE_PORT (server.port in the config file).',
        EXIT.failed,
      );
    }
    throw e;
  }
  // The signal handlers go in before anything tells the world this gateway is up (the log line,
  // the banner): a SIGTERM sent by whoever read them must drain, never find node's default
  // action (end the process at once) because it arrived a moment too early.
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      const since = Date.now();
      gateway.log.info({ signal }, 'draining');
      // The last line of the process: it says the drain ended, how, and that nothing is left running.
      // A worker sends the same figures to the primary, whose own `stopped` line sums them up.
      const finish = (figures: StopFigures) => {
        gateway.log.info({ signal, ...figures }, 'stopped');
        void reportStopped(figures).then(resolve);
      };
      gateway.close().then(
        (r) => finish({ drain_ms: r.drainMs, drained_requests: r.drained, cut_requests: r.cut, stop_ms: Date.now() - since }),
        (e: unknown) => {
          gateway.log.error({ err: e }, 'error while closing');
          finish({ stop_ms: Date.now() - since });
        },
      );
    };
    // Kept for the whole drain (not `once`): a worker gets the signal twice when it is sent to the
    // process group (Ctrl-C, systemd) and the primary passes it on too; with no handler left the
    // second would end the process by default, cutting the drain short.
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  for (const problem of config.warnings) gateway.log.warn({ problem }, 'configuration warning');
  gateway.log.info({ url, public_url: config.server.public_url }, 'listening');
  // After a restart on another port the file's URL and port would point at a dead gateway. One
  // worker rewrites them (the others would only race it); the log names the file, never its keys.
  if ((slot === undefined || slot === 1) && credentialsFile.refreshServer(config.server)) {
    gateway.log.info({ file: credentialsFile.path(), public_url: config.server.public_url, host: config.server.host, port: config.server.port }, 'first-start credentials file: URL, host and port updated');
  }
  if (slot === undefined || slot === 1) io.stderr(banner(url, config.server.public_url, config.models[0]?.name ?? 'sim-small', first, credentialsFile, io.terminal === true, config.admin_key_env));
  reportServing();

  await stopped;
  process.exit(0);
}

/**
 * The startup banner: one write to stderr, so that it is never split by log lines and stdout
 * carries only the JSON logs. Keys appear in it only on a terminal; otherwise it names the file.
 */
function banner(url: string, publicUrl: string, model: string, first: FirstStart, credentialsFile: CredentialsFile, terminal: boolean, adminKeyEnv: string): string {
  const lines = [
    `Tollgate listening on ${url}  (public URL ${publicUrl})`,
    `  OpenAI base URL: ${publicUrl}/v1`,
    `  web console (in a browser): ${publicUrl}/`,
    `  status page: ${publicUrl}/status`,
    `  error reference: ${publicUrl}/docs/errors`,
  ];
  const made = first.adminKey !== undefined || first.apiKey !== undefined || first.consoleSetupUrl !== undefined;
  const file = made || existsSync(credentialsFile.path()) ? credentialsFile.path() : undefined;
  if (made && terminal) {
    lines.push('');
    if (first.adminKey) lines.push(`  admin key (set ${adminKeyEnv} to use your own): ${first.adminKey}`);
    if (first.apiKey) lines.push(`  API key for ${first.orgId}: ${first.apiKey}`);
    if (first.consoleSetupUrl) lines.push(`  console setup link (creates the first owner, works once): ${first.consoleSetupUrl}`);
  }
  if (file) {
    lines.push('', `  first-start keys: ${file} (only you can read it; store the keys safely, then delete it)`);
    // Another database's file has the shared name: this one's keys are elsewhere, and that file is not theirs.
    if (credentialsFile.sharedIsAnothers()) lines.push(`  (${credentialsFile.sharedPath()} is not this database's: it holds another database's keys, or names none)`);
    lines.push(`  use them: set -a; . ${file}; set +a; npx tollgate orgs list`);
  }
  if (first.apiKey) lines.push('', `  try: curl ${publicUrl}/v1/chat/completions -H "Authorization: Bearer $TOLLGATE_API_KEY" -H "Content-Type: application/json" -d '{"model":"${model}","messages":[{"role":"user","content":"Hello"}]}'`);
  return lines.join('\n') + '\n';
}
