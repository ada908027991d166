import { startSimulatorServer } from '../upstream/simulator/serve.js';
import { UsageError } from './args.js';
import type { Args } from './command.js';
import type { CliIo } from './io.js';
import { loadCommandConfig } from './config-path.js';

/** `tollgate simulate`: serves the simulator engine until SIGTERM or SIGINT. */
export async function simulateCommand(args: Args, io: CliIo): Promise<number> {
  // The simulator stands in for the upstreams: the secrets they and the gateway need are not asked for.
  const config = loadCommandConfig(args.str('config'), io.env, { neededEnv: false });
  const port = Number(args.str('port') ?? 8081);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be a port number');
  const sim = await startSimulatorServer({
    models: config.models,
    host: args.str('host') ?? '127.0.0.1',
    port,
    allowFaultHeader: args.on('allow-fault-header'),
  });
  // Handlers first: a SIGTERM from whoever read the line below must stop it cleanly, never meet
  // node's default action because it came a moment too early.
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  io.stdout(`Tollgate simulator listening on ${sim.url} (OpenAI base URL ${sim.url}/v1; models: ${config.models.map((m) => m.name).join(', ')})\n`);
  const signal = await stopped;
  const since = Date.now();
  const { cut } = await sim.close();
  // The last line: the process is done (the simulator does not drain: what was in flight is cut).
  io.stdout(`Tollgate simulator stopped (${signal}) in ${Date.now() - since} ms; ${cut === 1 ? '1 request' : `${cut} requests`} in flight cut off\n`);
  process.exit(0);
}
