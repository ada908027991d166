import { CATALOG } from '@tollgate/protocol';
import { ConfigError, loadConfig } from '../config/load.js';
import { startSimulatorServer } from '../upstream/simulator/serve.js';
import { flagString, parseCommand } from './args.js';
import { configPath } from './config-path.js';
import type { CliIo } from './io.js';

/**
 * The help lists exactly the faults `parseFault` accepts: every id of the error catalog (read from
 * it, so the list cannot name a fault that does not exist) plus the two transport faults.
 */
export function simulateHelp(): string {
  return `Usage: tollgate simulate [--port N] [--host HOST] [--config FILE] [--allow-fault-header]

Serves the simulator engine alone over HTTP: OpenAI-compatible, no API keys. Models come from
the config (every model is served by the simulator here, whatever its provider) or the built-in
defaults.

With --allow-fault-header, a request with 'x-tollgate-fault: <fault>' fails as asked:
  <error id>          fail with that catalog error before any output
  <error id>@<n>      on a stream: fail after n content chunks (mid-stream error frame)
  stall[@<n>]         send n content chunks, then nothing (tests idle and first-byte timeouts)
  disconnect[@<n>]    close the connection after n content chunks
Error ids (GET /docs/errors explains each):
${wrap(FAULT_IDS.join(', '), 76, '  ')}
`;
}

const FAULT_IDS = CATALOG.map((e) => e.id);

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

const HELP = simulateHelp();

export async function simulateCommand(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommand(
    argv,
    {
      port: { value: true, placeholder: 'N', help: 'listen port' },
      host: { value: true, placeholder: 'HOST', help: 'listen address' },
      config: { value: true, placeholder: 'FILE', help: 'the config file' },
      'allow-fault-header': { value: false, help: 'honour x-tollgate-fault' },
    },
    HELP,
    io,
  );
  if (!args) return 2;
  if (args.flags.has('help')) {
    io.stdout(HELP);
    return 0;
  }
  let config;
  try {
    config = loadConfig(configPath(flagString(args, 'config'), io.env), io.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr(`tollgate simulate: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const port = Number(flagString(args, 'port') ?? 8081);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr(`tollgate simulate: --port must be a port number\n`);
    return 2;
  }
  const sim = await startSimulatorServer({
    models: config.models,
    host: flagString(args, 'host') ?? '127.0.0.1',
    port,
    allowFaultHeader: args.flags.has('allow-fault-header'),
  });
  io.stdout(`Tollgate simulator listening on ${sim.url} (OpenAI base URL ${sim.url}/v1; models: ${config.models.map((m) => m.name).join(', ')})\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await sim.close();
  process.exit(0);
}
