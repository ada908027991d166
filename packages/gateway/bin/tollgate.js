#!/usr/bin/env node
// The `tollgate` command as npm links it (node_modules/.bin/tollgate is a symlink to this file).
// It is plain JavaScript outside dist/ because npm links a bin only if its file exists at install
// time, and dist/ is built after the dependencies are installed (the root `prepare` script).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('tollgate: the gateway is not built yet; run `npm run build` in the repository root\n');
  process.exit(1);
}
const { main: run } = await import(main.href);
run(process.argv.slice(2));
