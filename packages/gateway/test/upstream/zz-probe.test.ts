import { it } from 'vitest';
import { startSimulatorServer } from '../../src/upstream/simulator/index.js';
import { asStream, chatCall, deployment, drain, engine, model, simModel } from './helpers.js';
it('probe', async () => {
  const sim = await startSimulatorServer({ models: [simModel('sim-small')], port: 0 });
  const e = engine(model('gw', [deployment('s', `${sim.url}/v1`, { model: 'sim-small' })]));
  for (const stream of [false, true]) {
    const t0 = performance.now();
    let n = 0, chunks = 0;
    await Promise.all(Array.from({ length: 50 }, async () => {
      while (n < 4000) { n++; const r = await e.call(chatCall({ stream })); if (r.kind === 'stream') chunks += (await drain(r.chunks)).chunks.length; }
    }));
    const ms = performance.now() - t0;
    console.log(stream ? 'stream' : 'json', Math.round(4000 / (ms / 1000)), 'req/s', chunks, 'chunks');
  }
  await e.close(); await sim.close();
}, 120_000);
