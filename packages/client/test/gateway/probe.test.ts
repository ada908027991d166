import { it } from 'vitest';
import { startTestGateway } from '../../../gateway/test/support/gateway.js';

it('probe', async () => {
  const gw = await startTestGateway({ models: [{ name: 'sim-small' }, { name: 'sim-slow', simulator: { ttft_ms: 2000 } }] });
  const t0 = Date.now();
  gw.gateway.server.on('connection', (s: any) => { console.log('conn', Date.now() - t0); s.on('close', () => console.log('conn close', Date.now() - t0)); }); gw.gateway.server.prependListener('request', (req: any, res: any) => { console.log('request', req.url, Date.now() - t0); res.on('close', () => console.log('res close', Date.now() - t0, res.writableFinished)); req.socket.on('close', () => console.log('sock close', Date.now() - t0)); });
  const ac = new AbortController(); setTimeout(() => { console.log('abort', Date.now() - t0); ac.abort(); }, 200);
  await fetch(gw.baseURL + '/chat/completions', { signal: ac.signal, method: 'POST', headers: { authorization: `Bearer ${gw.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'sim-slow', messages: [{ role: 'user', content: 'hi' }], max_tokens: 5 }) }).catch(() => {});
  await new Promise(r => setTimeout(r, 300));
  gw.gateway.server.getConnections((e: any, n: number) => console.log('connections', n)); console.log('closing', Date.now() - t0); gw.gateway.server.on('close', () => console.log('http server closed', Date.now() - t0));
  await gw.close(); console.log('closed', Date.now() - t0);
});
