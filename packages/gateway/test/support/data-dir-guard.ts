/**
 * Vitest globalSetup: fails the run when a test wrote into the repository's own `data/` (the
 * gateway's default data directory, ./data, in the working directory the tests run in). A test
 * that starts a gateway on PostgreSQL, or on the default SQLite file, without its own key-hashing
 * secret, journal or database file would otherwise leave a `tollgate.secret` (or more) there,
 * which a later `npm start` would then use. It only compares the directory's entries before and
 * after the run, and deletes nothing: the developer's own files there (from `npm start`) are left
 * alone, and what a test left is shown to be looked at.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DATA = join(fileURLToPath(new URL('../../../..', import.meta.url)), 'data');

const entries = (): Set<string> => {
  try {
    return new Set(readdirSync(DATA));
  } catch {
    return new Set();
  }
};

/**
 * What the run added to `data/`, given its entries before and after. A gateway the developer runs
 * from this checkout (`npm start`) keeps writing there during the run: its usage journal moves to a
 * new segment `<journal>.<n>` at each write to the database, beside the journal's lock
 * `<journal>.lock`. A new segment of a journal whose lock was there before is that gateway's, not a
 * test's (a test gateway on that journal would have been refused by the lock), so it is not
 * counted.
 */
export function addedByTests(before: ReadonlySet<string>, after: Iterable<string>): string[] {
  const runningJournalSegment = (e: string) => {
    const m = /^(.+)\.\d+$/.exec(e);
    return m !== null && before.has(`${m[1]}.lock`);
  };
  return [...after].filter((e) => !before.has(e) && !runningJournalSegment(e));
}

/** Vitest may load and run a global setup once per project: one report is enough. */
const REPORTED = Symbol.for('tollgate.test.dataDirGuard.reported');
const store = globalThis as { [REPORTED]?: boolean };

export default function setup(): () => void {
  const before = entries();
  return () => {
    const added = addedByTests(before, entries());
    if (added.length === 0 || store[REPORTED]) return;
    store[REPORTED] = true;
    // An error thrown here is printed but leaves the exit code 0: set it, so the run fails.
    process.exitCode = 1;
    console.error(
      `\nerror: the tests wrote ${added.map((e) => join(DATA, e)).join(', ')}: a test ran a gateway with the default data directory (./data). ` +
        'Give it its own: TOLLGATE_SECRET or secret_file, usage.journal_path, a database in a temporary directory (startTestGateway does all three).\n',
    );
  };
}
