/**
 * The run's guard on the repository's data/ (support/data-dir-guard.ts) blames the tests only for
 * what they wrote. A gateway started from the same checkout with `npm start` and still running
 * moves its usage journal to a new segment (tollgate.db.usage-journal.<n>) at each write to the
 * database, so `npm test` beside it failed, naming that segment as a test's.
 */
import { describe, expect, it } from 'vitest';
import { addedByTests } from './support/data-dir-guard.js';

const running = new Set(['tollgate.db', 'tollgate.db-wal', 'tollgate.secret', 'tollgate.db.usage-journal.13', 'tollgate.db.usage-journal.lock']);

describe('the data/ guard', () => {
  it('does not count new segments of a journal that was locked before the run', () => {
    expect(addedByTests(running, [...running, 'tollgate.db.usage-journal.14', 'tollgate.db.usage-journal.15'].filter((e) => !e.endsWith('.13')))).toEqual([]);
  });

  it('counts every other new entry, a journal segment without a lock before the run included', () => {
    expect(addedByTests(running, [...running, 'tollgate.db.usage-journal.lock2', 'usage-journal-8080.jsonl.1', 'tollgate.secret.previous', 'first-start-credentials-abc.env'])).toEqual([
      'tollgate.db.usage-journal.lock2',
      'usage-journal-8080.jsonl.1',
      'tollgate.secret.previous',
      'first-start-credentials-abc.env',
    ]);
    expect(addedByTests(new Set(), ['tollgate.secret', 'tollgate.db.usage-journal.1', 'tollgate.db.usage-journal.lock'])).toEqual(['tollgate.secret', 'tollgate.db.usage-journal.1', 'tollgate.db.usage-journal.lock']);
  });
});
