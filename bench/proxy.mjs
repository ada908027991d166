// The floor of any Node proxy hop: node:http in, undici Pool out, bodies piped, nothing else.
// Usage: node bench/proxy.mjs --port N --upstream http://127.0.0.1:M
import { createServer } from 'node:http';
import { Pool } from 'undici';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
};
const upstream = new URL(arg('upstream', 'http://127.0.0.1:8081'));
const pool = new Pool(upstream.origin, { connections: 128, pipelining: 1 });
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

const server = createServer((req, res) => {
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v;
  pool.request({ method: req.method, path: req.url, headers, body: req.method === 'GET' ? null : req }).then(
    (up) => {
      const out = {};
      for (const [k, v] of Object.entries(up.headers)) if (!HOP.has(k)) out[k] = v;
      res.writeHead(up.statusCode, out);
      up.body.pipe(res);
    },
    () => {
      res.writeHead(502).end();
    },
  );
});
server.keepAliveTimeout = 65_000;
server.listen(Number(arg('port', '8082')), '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => process.exit(0));
