import { ConfigError, loadConfig } from '../config/load.js';
import { startSimulatorServer } from '../upstream/simulator/serve.js';
import { flagString, parseCommand } from './args.js';
import { configPath } from './config-path.js';
import type { CliIo } from './main.js';

const HELP = `Usage: tollgate simulate [--port N] [--host HOST] [--config FILE] [--allow-fault-header]

Serves the simulator engine alone over HTTP: OpenAI-compatible, no API keys. Models come from
the config (every model is served by the simulator here, whatever its provider) or the built-in
defaults. With --allow-fault-header, 'x-tollgate-fault: <error id>' makes a request fail with that
catalog error ('<id>@<n>' after n chunks of a stream; 'disconnect@<n>' and 'stall@<n>' too).
`;

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
