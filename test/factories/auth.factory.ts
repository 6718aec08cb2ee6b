import request from 'supertest';
import type { TestApp } from '../setup/create-test-app.js';
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

/** Promotes a user to admin directly in the database (what `npm run cli -- create-admin` does). */
export async function makeAdmin(t: TestApp, userId: string): Promise<void> {
  await t.db.query(`UPDATE users SET roles = '{user,admin}' WHERE id = $1`, [userId]);
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** Decodes a JWT's header and payload without verifying it (assertions on claims). */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
  return { header, payload };
}

/** POST /auth/refresh with the refresh token in the body; resolves to the response, whatever its status. */
export function refreshWith(t: Pick<TestApp, 'server'>, refreshToken: string, userAgent = 'jest') {
  return request(t.server).post('/api/v1/auth/refresh').set('user-agent', userAgent).send({ refreshToken });
}

/** GET /auth/token-info with an access token: the cheapest route that applies the access guard (no database read). */
export function tokenInfo(t: Pick<TestApp, 'server'>, accessToken: string) {
  return request(t.server).get('/api/v1/auth/token-info').set(bearer(accessToken));
}

/**
 * A JWT's claims, decoded without verification. Only the payload segment is parsed (decodeJwt above
 * also runs JSON.parse on the signature segment, which is not JSON, and so throws for real tokens).
 */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** The session id (`sid` claim) an access or refresh token belongs to. */
export const sessionIdOf = (token: string): string => claimsOf(token).sid as string;
