/**
 * The first-start credentials file is its database's (first-start-credentials.ts): a start on
 * another database never writes it, even when both decide on the shared name at the same moment.
 * The end-to-end cases (two `tollgate serve` in one directory) are in serve.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from 'tollgate';
import { databaseOf } from '../../src/config/data-dir.js';
import { CredentialsFile, credentialsDatabase, readCredentials } from '../../src/first-start-credentials.js';

const A = { id: 'aaaaaaaaaaaa', label: 'sqlite:/x/a.db' };
const B = { id: 'bbbbbbbbbbbb', label: 'sqlite:/x/b.db' };

describe('CredentialsFile', () => {
  it('takes the shared name when it is free, and its own name when another database took it first, even after choosing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-creds-'));
    const a = new CredentialsFile(() => dir, A);
    const b = new CredentialsFile(() => dir, B);
    // Both look before either writes (two first starts at once): both choose the shared name.
    expect(a.path()).toBe(join(dir, 'first-start-credentials.env'));
    expect(b.path()).toBe(join(dir, 'first-start-credentials.env'));
    a.save({ TOLLGATE_ADMIN_KEY: 'tga-a' });
    b.save({ TOLLGATE_ADMIN_KEY: 'tga-b' });
    expect(readCredentials(a.path())).toEqual({ TOLLGATE_ADMIN_KEY: 'tga-a' });
    expect(b.path()).toBe(join(dir, `first-start-credentials-${B.id}.env`));
    expect(readCredentials(b.path())).toEqual({ TOLLGATE_ADMIN_KEY: 'tga-b' });
    expect(b.sharedIsAnothers()).toBe(true);
    expect(a.sharedIsAnothers()).toBe(false);
    for (const f of [a, b]) expect(statSync(f.path()).mode & 0o777).toBe(0o600);
    // Each merges into its own from then on; a later process finds the same files.
    b.save({ TOLLGATE_API_KEY: 'sk-b' });
    expect(readCredentials(new CredentialsFile(() => dir, B).path())).toEqual({ TOLLGATE_ADMIN_KEY: 'tga-b', TOLLGATE_API_KEY: 'sk-b' });
    expect(readCredentials(new CredentialsFile(() => dir, A).path())).toEqual({ TOLLGATE_ADMIN_KEY: 'tga-a' });
    expect(credentialsDatabase(join(dir, 'first-start-credentials.env'))).toBe(A.id);
    // Another database's URLs are never refreshed by this one.
    expect(new CredentialsFile(() => dir, B).refreshServer({ host: '127.0.0.1', port: 9, public_url: 'http://127.0.0.1:9' })).toBe(false);
    expect(readFileSync(join(dir, 'first-start-credentials.env'), 'utf8')).not.toContain('127.0.0.1:9');
  });

  it('keeps to its own file once it has one, even after the shared one is deleted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-creds-'));
    new CredentialsFile(() => dir, A).save({ TOLLGATE_ADMIN_KEY: 'tga-a' });
    const b = new CredentialsFile(() => dir, B);
    b.save({ TOLLGATE_ADMIN_KEY: 'tga-b' });
    const own = b.path();
    rmSync(join(dir, 'first-start-credentials.env'));
    expect(new CredentialsFile(() => dir, B).path()).toBe(own);
  });
});

describe('databaseOf', () => {
  it('names a PostgreSQL database by its server, name and schema, never by its user or password', () => {
    const pg = (url: string) => databaseOf(parseConfig({ database: { url } }));
    const one = pg('postgres://tollgate:hunter2@db.example.com/gw?schema=tenant_a');
    expect(one.label).toBe('postgres://db.example.com:5432/gw schema tenant_a');
    expect(one.id).toMatch(/^[0-9a-f]{12}$/);
    expect(pg('postgres://other:pw@db.example.com:5432/gw?schema=tenant_a').id).toBe(one.id);
    expect(pg('postgres://tollgate:hunter2@db.example.com/gw?schema=tenant_b').id).not.toBe(one.id);
    expect(pg('postgres://tollgate:hunter2@db.example.com/other').id).not.toBe(one.id);
    expect(JSON.stringify(pg('postgres://tollgate:hunter2@db.example.com/gw?password=hunter3'))).not.toMatch(/hunter|tollgate@/);
  });

  it('names a SQLite file by its absolute path', () => {
    const sqlite = (url: string) => databaseOf(parseConfig({ database: { url } }));
    expect(sqlite('sqlite:./data/a.db').label).toBe(`sqlite:${join(process.cwd(), 'data', 'a.db')}`);
    expect(sqlite('sqlite:./data/a.db').id).toBe(sqlite('sqlite://data/a.db').id);
    expect(sqlite('sqlite:./data/a.db').id).not.toBe(sqlite('sqlite:./data/b.db').id);
  });
});
