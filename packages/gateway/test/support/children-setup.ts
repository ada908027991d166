/**
 * Vitest setup file (run before each test file, in its worker): kills what the file's tests
 * started through children.ts and did not stop themselves, a test's processes after the test and
 * the rest after the file. Registered first, these hooks run after the file's own afterEach and
 * afterAll (vitest runs after-hooks in reverse order), which stop their processes gracefully.
 */
import { afterAll, afterEach } from 'vitest';
import { killChildren } from './children.js';

afterEach(() => killChildren('test'));
afterAll(() => killChildren('file'));
