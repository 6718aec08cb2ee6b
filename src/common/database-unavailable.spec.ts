import { describe, expect, it } from '@jest/globals';
import { isDatabaseUnavailable } from './database-unavailable.js';

/** Errors shaped as node-postgres and TypeORM (QueryFailedError keeps the pg error as `driverError`) throw them. */
const withCode = (code: string, message = 'boom') => Object.assign(new Error(message), { code });
const wrapped = (driverError: unknown) => Object.assign(new Error('query failed'), { driverError });

describe('isDatabaseUnavailable', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['connection reset', withCode('ECONNRESET')],
    ['both addresses refused (AggregateError)', Object.assign(new AggregateError([withCode('ECONNREFUSED')]), {})],
    ['the server shutting down (57P01), wrapped by TypeORM', wrapped(withCode('57P01', 'terminating connection due to administrator command'))],
    ['the server starting up (57P03)', withCode('57P03', 'the database system is starting up')],
    ['a connection failure (08006)', withCode('08006')],
    ['too many connections (53300)', withCode('53300')],
    ['a connection lost mid-query', new Error('Connection terminated unexpectedly')],
    ['no connection within the pool timeout', new Error('timeout exceeded when trying to connect')],
    ['a cause chain', new Error('outer', { cause: withCode('ECONNREFUSED') })],
  ])('is true for %s', (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation (23505)', wrapped(withCode('23505', 'duplicate key value'))],
    ['a check violation (23514)', wrapped(withCode('23514'))],
    ['a raised exception (P0001)', wrapped(withCode('P0001'))],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a string', 'ECONNREFUSED'],
    ['undefined', undefined],
  ])('is false for %s', (_case, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
