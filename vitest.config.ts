import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./packages/${p}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Order matters: a string alias also matches its subpaths, so the subpath comes first.
    alias: [
      { find: '@tollgate/client/node', replacement: fileURLToPath(new URL('./packages/client/src/node.ts', import.meta.url)) },
      { find: '@tollgate/protocol', replacement: src('protocol') },
      { find: '@tollgate/client', replacement: src('client') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    // Tests that run the compiled gateway must not run a stale build: rebuild when src is newer.
    globalSetup: ['packages/gateway/test/support/build-dist.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
