import { expect } from '@jest/globals';
import type { Response } from 'supertest';
import { claimsOf, refreshWith, sessionIdOf, tokenInfo } from '../factories/auth.factory.js';
import type { TestApp } from './create-test-app.js';
import { eventCount, sessionStates } from './db-reads.js';

/** What every token response and stored credential looks like (API.md), for the suites that issue them. */
export const TOKEN_RESPONSE_KEYS = ['accessToken', 'expiresIn', 'refreshExpiresIn', 'refreshToken', 'tokenType'];
export const ARGON2ID_PREFIX = '$argon2id$v=19$m=19456,t=2,p=1$';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$|^::1$/;
export const REFRESH_TTL = 604800;

/**
 * `refreshExpiresIn` is the session's remaining lifetime rounded up. Session times are whole
 * seconds taken from the database clock (they are the refresh token's iat/exp), so when the
 * second ticks between the INSERT and the response the honest answer is one less; anything else
 * is wrong.
 */
export function expectFreshRefreshLifetime(refreshExpiresIn: unknown): void {
  expect([REFRESH_TTL - 1, REFRESH_TTL]).toContain(refreshExpiresIn);
}

/**
 * Concurrent refreshes with one token (the user's only session): all succeed with the same new
 * refresh token, and the session rotated exactly once. Resolves to that token.
 */
export async function expectOneRotation(t: Pick<TestApp, 'db'>, responses: Response[], userId: string): Promise<string> {
  expect(responses.map((response) => response.status)).toEqual(responses.map(() => 200));
  const refreshTokens = new Set(responses.map((response) => response.body.refreshToken as string));
  expect(refreshTokens.size).toBe(1);
  const [next] = refreshTokens;
  const sid = sessionIdOf(next);
  expect(claimsOf(next).jti).toBe(`${sid}.1`);
  expect(await sessionStates(t, userId)).toEqual([{ id: sid, generation: 1, revoked_at: null }]);
  expect(await eventCount(t, sid, 'refresh')).toBe(1);
  return next;
}

/**
 * Rotates `refreshToken` on `rotator`, then presents it again on `replayer` inside the grace
 * window: the replay succeeds with the same current refresh token and a working access token.
 */
export async function expectGraceReplay(rotator: Pick<TestApp, 'server'>, replayer: Pick<TestApp, 'server'>, refreshToken: string) {
  const rotated = await refreshWith(rotator, refreshToken).expect(200);
  const replayed = await refreshWith(replayer, refreshToken);
  expect(replayed.status).toBe(200);
  expect(replayed.body.refreshToken).toBe(rotated.body.refreshToken);
  await tokenInfo(replayer, replayed.body.accessToken).expect(200);
  return { rotated, replayed };
}
