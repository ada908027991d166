import type { CliIo } from './io.js';

/**
 * The administration verbs and the batch runner. Each lives with its own area; this table only
 * routes to them. Returns undefined for a command it does not know.
 */
export async function dispatchCommand(command: string, argv: string[], io: CliIo): Promise<number | undefined> {
  const full = [command, ...argv];
  const cliIo = { stdout: io.stdout, stderr: io.stderr, env: io.env, fetch: globalThis.fetch };
  switch (command) {
    case 'orgs':
    case 'users':
    case 'members':
    case 'keys':
    case 'limits':
    case 'incidents':
    case 'maintenance':
      return (await import('./admin/index.js')).runAdminCli(full, cliIo);
    case 'usage':
    case 'billing':
    case 'quota-requests':
      return (await import('../billing/cli.js')).runUsageCli(full, cliIo);
    case 'batch': {
      const { batchCommand } = await import('@tollgate/client/node');
      return batchCommand(argv, { stdout: process.stdout, stderr: process.stderr, env: io.env });
    }
    default:
      return undefined;
  }
}
