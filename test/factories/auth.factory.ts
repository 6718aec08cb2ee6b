import request from 'supertest';
import type { TestApp } from '../setup/create-test-app.js';
import { waitFor } from '../setup/wait.js';
import { newUser } from './user.factory.js';

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
  refreshExpiresIn: number;
}

export interface SignedIn extends Tokens {
  user: { id: string; email: string; emailVerified: boolean; name: string | null; roles: string[]; disabled: boolean; createdAt: string };
  password: string;
}

/** Registers a new user through the API and returns its tokens. */
export async function registerUser(t: TestApp, overrides: Parameters<typeof newUser>[0] = {}): Promise<SignedIn> {
  const body = newUser(overrides);
  const response = await request(t.server).post('/api/v1/auth/register').send(body).expect(201);
  return { ...response.body, password: body.password };
}

/** Logs an existing user in (a new session) and returns the token response. */
export async function login(t: TestApp, email: string, password: string, userAgent = 'jest'): Promise<Tokens> {
  const response = await request(t.server)
    .post('/api/v1/auth/login')
    .set('user-agent', userAgent)
    .send({ email, password })
    .expect(200);
  return response.body;
}

/** Grants the admin role directly in the database (what `npm run cli -- create-admin` does to an existing account). */
export async function makeAdmin(t: TestApp, userId: string): Promise<void> {
  await t.db.query(`UPDATE users SET roles = '{user,admin}' WHERE id = $1`, [userId]);
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The challenge every refusal of a presented access token carries (RFC 6750). */
export const INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"';

/** A JWT's header and payload, decoded without verification; the signature segment is not read. */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>);
  return { header, payload };
}

export const claimsOf = (token: string) => decodeJwt(token).payload;
export const headerOf = (token: string) => decodeJwt(token).header;

/** The session id (`sid` claim) an access or refresh token belongs to. */
export const sessionIdOf = (token: string): string => claimsOf(token).sid as string;

/** POST /auth/register with any body; resolves to the response, whatever its status. */
export function postRegister(t: Pick<TestApp, 'server'>, body: unknown, userAgent = 'jest-register') {
  return request(t.server).post('/api/v1/auth/register').set('user-agent', userAgent).send(body as object);
}

/** POST /auth/refresh with the refresh token in the body; resolves to the response, whatever its status. */
export function refreshWith(t: Pick<TestApp, 'server'>, refreshToken: string, userAgent = 'jest') {
  return request(t.server).post('/api/v1/auth/refresh').set('user-agent', userAgent).send({ refreshToken });
}

/** GET /auth/token-info with an access token: the cheapest route that applies the access guard (no database read). */
export function tokenInfo(t: Pick<TestApp, 'server'>, accessToken: string) {
  return request(t.server).get('/api/v1/auth/token-info').set(bearer(accessToken));
}

/** POST /auth/logout with the refresh token in the body. */
export function logoutWith(t: Pick<TestApp, 'server'>, refreshToken: string) {
  return request(t.server).post('/api/v1/auth/logout').send({ refreshToken });
}

/**
 * Polls GET /auth/token-info with the access token until it is refused and resolves to that
 * answer; throws if it is still accepted after `timeoutMs` (the contract's bound).
 */
export function refusedWithin(t: Pick<TestApp, 'server'>, accessToken: string, timeoutMs: number, intervalMs = 25) {
  return waitFor(async () => {
    const answer = await tokenInfo(t, accessToken);
    return answer.status === 200 ? undefined : answer;
  }, timeoutMs, intervalMs);
}

/** A registered user promoted to admin, signed in again so the access token carries the role. */
export async function signInAsAdmin(t: TestApp): Promise<SignedIn> {
  const admin = await registerUser(t);
  await makeAdmin(t, admin.user.id);
  return { ...admin, ...(await login(t, admin.user.email, admin.password)) };
}
