#!/usr/bin/env node
/**
 * The `tollgate` command: `serve` runs the gateway, `simulate` serves the simulator engine alone,
 * and the admin verbs talk to a running gateway's admin API.
 */
import { fileURLToPath } from 'node:url';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: Record<string, string | undefined>;
}

const USAGE = `Usage: tollgate <command> [options]

Gateway:
  serve [--config FILE] [--port N] [--host H]   run the gateway (TOLLGATE_CONFIG names the config too)
  simulate [--port N] [--config FILE]           serve the simulator engine alone (OpenAI-compatible, no keys)
  docs errors [--lang en|zh-CN]                 print the error reference (Markdown)

Administration (talks to TOLLGATE_URL with TOLLGATE_ADMIN_KEY):
  orgs | users | members | keys | limits <verb>  identity and access; --help on each
  billing | quota-requests | usage               spend limits, quota requests, usage reports
  batch requests.jsonl -o results.jsonl          run an OpenAI Batch-format file through the API

Every command takes --help.`;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      io.stdout(USAGE + '\n');
      return command === undefined ? 2 : 0;
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

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const io: CliIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), env: process.env };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      // serve/simulate keep the process alive themselves; they resolve only when stopped.
      if (code !== 0 || !['serve', 'simulate'].includes(process.argv[2] ?? '')) process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`tollgate: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
