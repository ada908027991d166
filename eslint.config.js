// @ts-check
// Lint: the recommended JavaScript and TypeScript rules, plus the type-aware promise rules that
// catch what tsc cannot (a promise nobody awaits loses its rejection and its ordering).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

/** Node globals the plain-JavaScript files (bin, bench, worker fixtures) use. */
const nodeGlobals = Object.fromEntries(
  ['process', 'console', 'URL', 'URLSearchParams', 'fetch', 'performance', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'AbortController'].map(
    (name) => [name, 'readonly'],
  ),
);

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  // Test regexes spell fixed-width terminal output space for space, as it is printed.
  { rules: { 'no-regex-spaces': 'off' } },
  {
    files: ['**/*.ts'],
    languageOptions: {
      // One program for sources, tests and bench: tsconfig.test.json includes them all.
      parserOptions: { project: ['./tsconfig.test.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // `_` names a value left out on purpose (a destructured field, an unread loop item).
      '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Kysely migrations take `Kysely<any>` by design and tests read JSON bodies loosely; tsc's
      // strict mode and review keep `any` rare elsewhere.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    // The browser app has its own program (JSX, bundler resolution, DOM): tsconfig.test.json leaves it out.
    files: ['packages/console/src/**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { project: ['./packages/console/tsconfig.json'], tsconfigRootDir: import.meta.dirname } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    files: ['vitest.config.ts', 'packages/console/vite.config.ts'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: nodeGlobals },
  },
);
