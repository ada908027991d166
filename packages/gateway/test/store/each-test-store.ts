/**
 * A fresh test store of `dialect` for each test of the calling describe block (opened in
 * beforeEach, closed in afterEach), for the tests of one migration; returns its getter.
 */
import { afterEach, beforeEach } from 'vitest';
import { openTestStore, type TestStore } from '../usage/db.js';

export function eachTestStore(dialect: Parameters<typeof openTestStore>[0]): () => TestStore {
  let t: TestStore | undefined;
  beforeEach(async () => {
    t = await openTestStore(dialect);
  });
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });
  return () => t!;
}
