#!/usr/bin/env node
/**
 * The `tollgate` command: `serve` runs the gateway, `simulate` serves the simulator engine alone,
 * and the admin verbs talk to a running gateway's admin API.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliIo } from './io.js';

export type { CliIo };

const USAGE = `Usage: tollgate <command> [options]

Gateway:
  serve [--config FILE] [--port N] [--host H]   run the gateway (TOLLGATE_CONFIG names the config too)
  simulate [--port N] [--config FILE]           serve the simulator engine alone (OpenAI-compatible, no keys)
  docs errors [--lang en|zh-CN]                 print the error reference (Markdown)

Administration (talks to TOLLGATE_URL, with or without /v1, using TOLLGATE_ADMIN_KEY):
  orgs | users | members | keys | limits <verb>  identity and access; --help on each
  billing | quota-requests | usage               spend limits, quota requests, usage reports
  incidents | maintenance <verb>                 status-page incidents, updates, postmortems, maintenance
  batch requests.jsonl -o results.jsonl          run an OpenAI Batch-format file through the API
                                                 (TOLLGATE_URL with TOLLGATE_API_KEY)

Every command takes --help; --version prints the version.`;

/** The gateway package's version (dist/cli/main.js → ../../package.json, in the repo and when installed). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      io.stdout(USAGE + '\n');
      return command === undefined ? 2 : 0;
    case '--version':
    case '-v':
    case 'version':
      io.stdout(`tollgate ${version()}\n`);
      return 0;
    case 'serve':
      return (await import('./serve.js')).serveCommand(rest, io);
    case 'simulate':
      return (await import('./simulate.js')).simulateCommand(rest, io);
    case 'docs':
      return (await import('./docs.js')).docsCommand(rest, io);
    default: {
      const dispatch = (await import('./dispatch.js')).dispatchCommand;
      const code = await dispatch(command, rest, io);
      if (code !== undefined) return code;
      io.stderr(`tollgate: unknown command '${command}'\n\n${USAGE}\n`);
      return 2;
    }
  }
}

/** Runs the command line of this process; the bin launcher (bin/tollgate.js) calls it. */
export function main(argv: string[]): void {
  const io: CliIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), env: process.env, terminal: process.stderr.isTTY === true };
  runCli(argv, io).then(
    (code) => {
      // serve/simulate keep the process alive themselves; they resolve only when stopped.
      if (code !== 0 || !['serve', 'simulate'].includes(argv[0] ?? '')) process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`tollgate: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}

/**
 * Run directly (`node dist/cli/main.js`, as `npm start` does). The comparison is between real
 * paths: through a symlink (npm's node_modules/.bin) argv[1] is the link, while import.meta.url
 * is the file it points to, so a plain comparison would never match and the command would do
 * nothing.
 */
function invokedDirectly(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) main(process.argv.slice(2));
