// Lists where a sampled heap profile (bench/alloc-probe.mjs, or any .heapprofile) allocated most,
// by function, with the share of all bytes sampled. Divide by the requests served in the run for
// bytes per request.
//
//   node bench/alloc-top.mjs /tmp/alloc/c-fixed.heapprofile [rows] [requests]
import { readFileSync } from 'node:fs';

const [file, rowsArg = '30', requestsArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/alloc-top.mjs FILE.heapprofile [rows] [requests served]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const bySite = new Map();
let total = 0;
const visit = (node) => {
  const f = node.callFrame;
  const site = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(packages|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
  bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
  total += node.selfSize;
  for (const c of node.children) visit(c);
};
visit(profile.head);
const requests = requestsArg ? Number(requestsArg) : undefined;
console.log(`${(total / 1e6).toFixed(1)} MB sampled${requests ? `, ${((total / requests) / 1024).toFixed(1)} KB per request over ${requests} requests` : ''}`);
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(rowsArg))) {
  const per = requests ? `  ${(bytes / requests).toFixed(0).padStart(6)} B/req` : '';
  console.log(`${((100 * bytes) / total).toFixed(1).padStart(5)}%${per}  ${site}`);
}
