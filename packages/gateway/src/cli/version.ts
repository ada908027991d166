import { readFileSync } from 'node:fs';

/** The gateway package's version (dist/cli/version.js → ../../package.json, in the repo and when installed). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
