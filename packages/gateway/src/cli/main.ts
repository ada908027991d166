#!/usr/bin/env node
/**
 * The `tollgate` command: `serve` runs the gateway, `simulate` serves the simulator engine alone,
 * and the admin verbs talk to a running gateway's admin API. The commands are listed in table.ts
 * and run by run.ts.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { endQuietlyWhenReaderCloses } from './closed-stdout.js';
import type { CliIo } from './io.js';
import { EXIT } from './exit.js';
import { runCli } from './run.js';
import { readSecretFromStdin } from './secret-input.js';

/** Runs the command line of this process; the bin launcher (bin/tollgate.js) calls it. */
export function main(argv: string[]): void {
  endQuietlyWhenReaderCloses(process.stdout, (code) => process.exit(code));
  const io: CliIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), env: process.env, terminal: process.stderr.isTTY === true, readSecret: readSecretFromStdin };
  runCli(argv, io).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = EXIT.failed;
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
