import { describe, expect, it } from 'vitest';
import { DependencyUnavailableError, isDependencyOutage } from '../../src/store/outage.js';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDependencyOutage: only an unreachable or silent database/Redis is an outage', () => {
  it.each([
    ['our own timeout around a Redis call', new DependencyUnavailableError('counter store: redis did not answer within 1000 ms')],
    ['connection refused', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['connection reset', withCode('read ECONNRESET', 'ECONNRESET')],
    ["Node's multi-address connect failure", Object.assign(new AggregateError([withCode('connect ECONNREFUSED ::1:6379', 'ECONNREFUSED')]), { code: undefined })],
    ['ioredis: closed connection', new Error('Connection is closed.')],
    ['ioredis: offline queue disabled', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['ioredis: command timeout', new Error('Command timed out')],
    ['ioredis: max retries', Object.assign(new Error('Reached the max retries per request limit (which is 1).'), { name: 'MaxRetriesPerRequestError' })],
    ['Redis loading its data', new Error('LOADING Redis is loading the dataset in memory')],
    ['pg: connection lost', new Error('Connection terminated unexpectedly')],
    ['pg: pool timeout', new Error('timeout exceeded when trying to connect')],
    ['pg: admin shutdown', withCode('terminating connection due to administrator command', '57P01')],
    ['pg: too many connections', withCode('sorry, too many clients already', '53300')],
    ['pg: connection failure', withCode('connection failure', '08006')],
    ['SQLite busy', withCode('database is locked', 'SQLITE_BUSY')],
    ['SQLite I/O error', withCode('disk I/O error', 'SQLITE_IOERR_WRITE')],
    ['wrapped in a cause', new Error('load failed', { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') })],
  ])('%s → outage', (_what, e) => {
    expect(isDependencyOutage(e)).toBe(true);
  });

  it.each([
    ['a validation RangeError (a value the store cannot take)', new RangeError('counter store: bucket org:x:rpm: limit must be a positive integer, got 0')],
    ['a TypeError (a bug)', new TypeError("Cannot read properties of undefined (reading 'limit')")],
    ['a Lua script error', new Error('ERR user_script:12: attempt to compare nil with number')],
    ['a unique violation', withCode('duplicate key value violates unique constraint', '23505')],
    ['pg: syntax error', withCode('syntax error at or near "selec"', '42601')],
    ['SQLite constraint', withCode('UNIQUE constraint failed', 'SQLITE_CONSTRAINT_UNIQUE')],
    ['not an error at all', 'boom'],
    ['undefined', undefined],
  ])('%s → not an outage', (_what, e) => {
    expect(isDependencyOutage(e)).toBe(false);
  });
});
