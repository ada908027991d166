import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (p: string) => fileURLToPath(new URL(`./packages/${p}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run the workspace packages from source, so `vitest` needs no build and a test sees the
    // code as it is now. The same mapping is in tsconfig.test.json's `paths` (one set of types for
    // tests and sources). The packages' own `exports` stay dist-only: what is published is built.
    // Order matters: a string alias also matches its subpaths, so the subpath comes first.
    alias: [
      { find: '@tollgate/client/node', replacement: fileURLToPath(new URL('./packages/client/src/node.ts', import.meta.url)) },
      { find: '@tollgate/protocol', replacement: src('protocol') },
      { find: '@tollgate/client', replacement: src('client') },
      { find: 'tollgate', replacement: src('gateway') },
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
