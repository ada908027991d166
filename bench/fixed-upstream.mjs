// A tiny upstream that answers every request at once with the same chat.completion (usage
// included), so that the proxy in front of it, not the upstream, is what a load test measures.
// Usage: node bench/fixed-upstream.mjs --port N
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? dflt : process.argv[i + 1];
};
const ANSWER = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-fixed',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'sim-small',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello, benchmark! This is a fixed answer.', refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage: { prompt_tokens: 14, completion_tokens: 10, total_tokens: 24 },
    system_fingerprint: 'fp_fixed',
  }),
);
const HEADERS = { 'content-type': 'application/json', 'content-length': String(ANSWER.length), 'x-request-id': 'req_fixed' };

const server = createServer((req, res) => {
  // Read the body to its end before answering, as a real upstream does.
  req.resume();
  req.on('end', () => {
    res.writeHead(200, HEADERS);
    res.end(ANSWER);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(arg('port', '18090')), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
