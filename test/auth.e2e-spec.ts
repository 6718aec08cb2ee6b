import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac, randomUUID } from 'node:crypto';
import request from 'supertest';
import { bearer, login, makeAdmin, registerUser } from './factories/auth.factory.js';
import { newUser } from './factories/user.factory.js';
import { createTestApp, TEST_SECRETS, type TestApp } from './setup/create-test-app.js';

type Response = request.Response;
type Claims = Record<string, unknown>;

const AUTH = '/api/v1/auth';
const TOKEN_INFO = `${AUTH}/token-info`;
const PROBLEM_MEMBERS = ['type', 'title', 'status', 'detail', 'instance', 'code', 'errors'];
const TOKEN_RESPONSE_KEYS = ['accessToken', 'expiresIn', 'refreshExpiresIn', 'refreshToken', 'tokenType'];
const ARGON2ID_PREFIX = '$argon2id$v=19$m=19456,t=2,p=1$';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LOOPBACK = /^(::ffff:)?127\.0\.0\.1$|^::1$/;
const INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"';

// ---------------------------------------------------------------------------------------------
// Helpers local to this suite: problem documents, cookies, JWT forging, database reads.
// ---------------------------------------------------------------------------------------------

/** An RFC 9457 problem document with the given status and code, and nothing else in it. */
function expectProblem(response: Response, status: number, code: string): void {
  expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, code });
  expect(Object.keys(response.body).filter((key) => !PROBLEM_MEMBERS.includes(key))).toEqual([]);
}

interface SetCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased; flag attributes map to `true`. */
  attributes: Map<string, string | true>;
}

function setCookies(response: Response): SetCookie[] {
  const raw = response.headers['set-cookie'] as unknown as string[] | string | undefined;
  const lines = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return lines.map((line) => {
    const [pair, ...rest] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const attributes = new Map<string, string | true>();
    for (const attribute of rest) {
      const at = attribute.indexOf('=');
      if (at === -1) attributes.set(attribute.toLowerCase(), true);
      else attributes.set(attribute.slice(0, at).toLowerCase(), attribute.slice(at + 1));
    }
    return { name: pair.slice(0, eq), value: decodeURIComponent(pair.slice(eq + 1)), attributes };
  });
}

const refreshCookieOf = (response: Response) => setCookies(response).find((cookie) => cookie.name === 'refresh_token');

function expectClearedCookie(response: Response): void {
  const cookie = refreshCookieOf(response);
  expect(cookie).toBeDefined();
  expect(cookie!.value).toBe('');
  const maxAge = cookie!.attributes.get('max-age');
  const expires = cookie!.attributes.get('expires');
  const cleared =
    maxAge === '0' || (typeof expires === 'string' && new Date(expires).getTime() <= Date.now());
  expect({ maxAge, expires, cleared }).toMatchObject({ cleared: true });
  expect(cookie!.attributes.get('path')).toBe('/api/v1/auth');
}

/**
 * Header and payload of a compact JWS, unverified. (The factory's decodeJwt also JSON-parses the
 * signature segment and throws on every real token; it is not ours to change.)
 */
function decodeJwt(token: string): { header: Claims; payload: Claims } {
  const [header, payload] = token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Claims);
  return { header, payload };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Signs a compact JWS with HMAC, header and payload exactly as given. */
function signJwt(header: Claims, payload: Claims, secret: string, hash: 'sha256' | 'sha512' = 'sha256'): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

function withoutKeys(claims: Claims, ...keys: string[]): Claims {
  return Object.fromEntries(Object.entries(claims).filter(([key]) => !keys.includes(key)));
}

const REFRESH_TTL = 604800;

/**
 * `refreshExpiresIn` is the session's remaining lifetime rounded up. Session times are whole
 * seconds taken from the database clock (they are the refresh token's iat/exp), so when the
 * second ticks between the INSERT and the response the honest answer is 604799 (seen in about 1
 * registration in 300); anything else is wrong.
 */
function expectFreshRefreshLifetime(refreshExpiresIn: unknown): void {
  expect([REFRESH_TTL - 1, REFRESH_TTL]).toContain(refreshExpiresIn);
}

const sidOf = (token: string) => decodeJwt(token).payload.sid as string;

const register = (t: TestApp, body: unknown, userAgent = 'jest-register') =>
  request(t.server).post(`${AUTH}/register`).set('user-agent', userAgent).send(body as object);

const refreshWithBody = (t: TestApp, refreshToken: string, userAgent = 'jest-refresh') =>
  request(t.server).post(`${AUTH}/refresh`).set('user-agent', userAgent).send({ refreshToken });

const logoutWithBody = (t: TestApp, refreshToken: string) =>
  request(t.server).post(`${AUTH}/logout`).send({ refreshToken });

const tokenInfo = (t: TestApp, accessToken: string) => request(t.server).get(TOKEN_INFO).set(bearer(accessToken));

interface SessionRow {
  id: string;
  user_id: string;
  generation: number;
  rotated_at: number;
  expires_at: number;
  revoked_at: Date | null;
  revoke_reason: string | null;
  user_agent: string | null;
  ip: string | null;
}

async function sessionRow(t: TestApp, sessionId: string): Promise<SessionRow> {
  const rows = await t.db.query<SessionRow>(
    `SELECT id, user_id, generation,
            extract(epoch FROM rotated_at)::int AS rotated_at, extract(epoch FROM expires_at)::int AS expires_at,
            revoked_at, revoke_reason, user_agent, ip
       FROM sessions WHERE id = $1`,
    [sessionId],
  );
  expect(rows).toHaveLength(1);
  return rows[0];
}

async function sessionsOfUser(t: TestApp, userId: string): Promise<SessionRow[]> {
  return t.db.query<SessionRow>(
    `SELECT id, user_id, generation, revoked_at, revoke_reason, user_agent, ip
       FROM sessions WHERE user_id = $1 ORDER BY created_at, id`,
    [userId],
  );
}

async function events(t: TestApp, where: { userId?: string; sessionId?: string; type: string }) {
  return t.db.query<{ user_id: string | null; session_id: string | null; ip: string | null; user_agent: string | null }>(
    `SELECT user_id, session_id, ip, user_agent FROM auth_events
      WHERE type = $1 AND ($2::uuid IS NULL OR user_id = $2) AND ($3::uuid IS NULL OR session_id = $3)
      ORDER BY id`,
    [where.type, where.userId ?? null, where.sessionId ?? null],
  );
}

async function usersWithEmail(t: TestApp, email: string): Promise<{ id: string }[]> {
  return t.db.query<{ id: string }>('SELECT id FROM users WHERE lower(email) = lower($1)', [email.trim()]);
}

async function countRows(t: TestApp, table: 'users' | 'sessions'): Promise<number> {
  const [row] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return row.n;
}

/** An address of exactly `length` characters that validators accept (64-char local part, 63-char labels). */
function emailOfLength(length: number): string {
  const local = `${randomUUID().replaceAll('-', '')}${'l'.repeat(32)}`; // 64
  const tail = '.com';
  let remaining = length - local.length - 1 - tail.length;
  const labels: string[] = [];
  while (remaining > 0) {
    const label = Math.min(63, remaining);
    labels.push('d'.repeat(label));
    remaining -= label + 1; // the dot before the next label
  }
  const email = `${local}@${labels.join('.')}${tail}`;
  if (email.length !== length) throw new Error(`emailOfLength(${length}) built ${email.length} characters`);
  return email;
}

// ---------------------------------------------------------------------------------------------

describe('auth (e2e)', () => {
  describe('with the default configuration', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp();
    });

    afterAll(async () => {
      await t.close();
    });

    describe('POST /auth/register', () => {
      it('answers 201 with the user and a token pair, stores a normalised email and an argon2id hash, and opens a session', async () => {
        const input = newUser();
        const response = await register(t, { ...input, email: `  ${input.email.toUpperCase()}  ` }, 'register-agent/1.0');

        expect(response.status).toBe(201);
        expect(response.headers['cache-control']).toBe('no-store');
        expect(Object.keys(response.body).sort()).toEqual([...TOKEN_RESPONSE_KEYS, 'user'].sort());
        expect(response.body).toEqual({
          user: { id: expect.stringMatching(UUID), email: input.email, name: input.name, roles: ['user'], createdAt: expect.any(String) },
          accessToken: expect.any(String),
          refreshToken: expect.any(String),
          tokenType: 'Bearer',
          expiresIn: 900,
          refreshExpiresIn: expect.any(Number),
        });
        expectFreshRefreshLifetime(response.body.refreshExpiresIn);
        expect(response.text).not.toContain('$argon2');
        expect(response.text).not.toContain(input.password);

        const [user] = await t.db.query<{ id: string; email: string; password_hash: string; name: string; roles: string[]; created_at: Date }>(
          'SELECT id, email, password_hash, name, roles, created_at FROM users WHERE id = $1',
          [response.body.user.id],
        );
        expect(user).toMatchObject({ email: input.email, name: input.name, roles: ['user'] });
        expect(user.password_hash.startsWith(ARGON2ID_PREFIX)).toBe(true);
        expect(user.password_hash).not.toContain(input.password);
        expect(new Date(response.body.user.createdAt).getTime()).toBe(user.created_at.getTime());

        const sessions = await sessionsOfUser(t, user.id);
        expect(sessions).toHaveLength(1);
        expect(sessions[0]).toMatchObject({
          id: sidOf(response.body.accessToken),
          generation: 0,
          revoked_at: null,
          user_agent: 'register-agent/1.0',
        });
        expect(sessions[0].ip).toMatch(LOOPBACK);
        expect(sidOf(response.body.refreshToken)).toBe(sessions[0].id);
        await expect(events(t, { sessionId: sessions[0].id, type: 'login' })).resolves.toHaveLength(1);
      });

      it('sets the refresh cookie HttpOnly, SameSite=Strict, Secure, scoped to /api/v1/auth, with the refresh lifetime', async () => {
        const response = await register(t, newUser()).expect(201);

        const cookie = refreshCookieOf(response);
        expect(cookie).toBeDefined();
        expect(cookie!.value).toBe(response.body.refreshToken);
        expect(Object.fromEntries(cookie!.attributes)).toEqual({
          httponly: true,
          samesite: 'Strict',
          secure: true,
          path: '/api/v1/auth',
          'max-age': String(response.body.refreshExpiresIn),
        });
        expectFreshRefreshLifetime(response.body.refreshExpiresIn);
        const { payload } = decodeJwt(cookie!.value);
        expect((payload.exp as number) - (payload.iat as number)).toBe(REFRESH_TTL);
      });

      it('answers 409 email_taken for an existing email in another case, and creates no second user', async () => {
        const input = newUser();
        const first = await register(t, { ...input, email: input.email.toUpperCase() }).expect(201);
        expect(first.body.user.email).toBe(input.email);

        const second = await register(t, newUser({ email: input.email }));

        expectProblem(second, 409, 'email_taken');
        expect(second.body).not.toHaveProperty('accessToken');
        expect(refreshCookieOf(second)).toBeUndefined();
        await expect(usersWithEmail(t, input.email)).resolves.toEqual([{ id: first.body.user.id }]);
        await expect(sessionsOfUser(t, first.body.user.id)).resolves.toHaveLength(1);
      });

      it.each([
        { case: 'an invalid email', patch: { email: 'not-an-email' }, field: 'email' },
        { case: 'an email of 255 characters', patch: { email: emailOfLength(255) }, field: 'email' },
        { case: 'a missing email', patch: { email: undefined }, field: 'email' },
        { case: 'a 7-character password', patch: { password: 'k7#pQ2z' }, field: 'password' },
        { case: 'a 129-character password', patch: { password: `${'Zq9!'.repeat(32)}x` }, field: 'password' },
        { case: 'a password of 129 emoji (code points)', patch: { password: '🔑'.repeat(129) }, field: 'password' },
        { case: 'the common password "password123"', patch: { password: 'password123' }, field: 'password' },
        { case: 'the common password "qwertyuiop"', patch: { password: 'qwertyuiop' }, field: 'password' },
        { case: 'a common password in another case', patch: { password: 'QwertyUiop' }, field: 'password' },
        { case: 'a non-string password', patch: { password: 12345678 }, field: 'password' },
        { case: 'an empty name', patch: { name: '   ' }, field: 'name' },
      ])('answers 400 validation_failed naming the field for $case, and creates no user', async ({ patch, field }) => {
        const input = { ...newUser(), ...patch };
        const response = await register(t, input);

        expectProblem(response, 400, 'validation_failed');
        expect(response.body.errors).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
        expect(response.body.errors.every((error: { field: string }) => error.field === field)).toBe(true);
        if (typeof input.email === 'string') await expect(usersWithEmail(t, input.email)).resolves.toEqual([]);
      });

      it('accepts an email of exactly 254 characters', async () => {
        const email = emailOfLength(254);
        const response = await register(t, newUser({ email })).expect(201);
        expect(response.body.user.email).toBe(email);
        await expect(usersWithEmail(t, email)).resolves.toHaveLength(1);
      });

      it('counts password length in code points: 128 emoji are accepted and sign in', async () => {
        const password = '🔑'.repeat(128); // 256 UTF-16 units
        const input = newUser({ password });
        const response = await register(t, input).expect(201);

        const [user] = await t.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [
          response.body.user.id,
        ]);
        expect(user.password_hash.startsWith(ARGON2ID_PREFIX)).toBe(true);
        const tokens = await login(t, input.email, password);
        expect(decodeJwt(tokens.accessToken).payload.sub).toBe(response.body.user.id);
        // Never truncated: the first 127 code points are not the password.
        const truncated = await request(t.server).post(`${AUTH}/login`).send({ email: input.email, password: '🔑'.repeat(127) });
        expectProblem(truncated, 401, 'invalid_credentials');
      });

      it('answers 400 for fields a client must not set (roles, id), and creates neither user nor session', async () => {
        const sessionsBefore = await countRows(t, 'sessions');
        for (const extra of [{ roles: ['admin'] }, { id: randomUUID() }]) {
          const input = { ...newUser(), ...extra };
          const response = await register(t, input);

          expectProblem(response, 400, 'validation_failed');
          const field = Object.keys(extra)[0];
          expect(response.body.errors).toEqual([{ field, message: expect.any(String) }]);
          await expect(usersWithEmail(t, input.email)).resolves.toEqual([]);
        }
        await expect(countRows(t, 'sessions')).resolves.toBe(sessionsBefore);
      });

      it('answers 400 validation_failed for malformed JSON', async () => {
        const usersBefore = await countRows(t, 'users');
        const response = await request(t.server)
          .post(`${AUTH}/register`)
          .set('content-type', 'application/json')
          .send('{"email": "malformed@example.com", "password": ');

        expectProblem(response, 400, 'validation_failed');
        expect(response.text).not.toMatch(/Unexpected|SyntaxError|at JSON/);
        await expect(countRows(t, 'users')).resolves.toBe(usersBefore);
      });

      it.each([
        { case: 'an array', body: '[{"email":"a@example.com","password":"a long passphrase"}]' },
        { case: 'a string', body: '"hello"' },
        { case: 'a number', body: '42' },
        { case: 'null', body: 'null' },
        { case: 'an empty body', body: '' },
      ])('answers 400 validation_failed for a JSON body that is $case', async ({ body }) => {
        const usersBefore = await countRows(t, 'users');
        const response = await request(t.server).post(`${AUTH}/register`).set('content-type', 'application/json').send(body);

        expectProblem(response, 400, 'validation_failed');
        expect(response.body.errors).toEqual(
          expect.arrayContaining([
            { field: 'email', message: expect.any(String) },
            { field: 'password', message: expect.any(String) },
          ]),
        );
        await expect(countRows(t, 'users')).resolves.toBe(usersBefore);
      });

      it.each([
        { case: 'text/plain', contentType: 'text/plain' },
        { case: 'HTML form', contentType: 'application/x-www-form-urlencoded' },
        { case: 'multipart', contentType: 'multipart/form-data; boundary=x' },
      ])('answers 415 unsupported_media_type for a $case body', async ({ contentType }) => {
        const input = newUser();
        const response = await request(t.server)
          .post(`${AUTH}/register`)
          .set('content-type', contentType)
          .send(`email=${encodeURIComponent(input.email)}&password=${input.password}`);

        expectProblem(response, 415, 'unsupported_media_type');
        await expect(usersWithEmail(t, input.email)).resolves.toEqual([]);
      });

      it('answers 413 payload_too_large for a body over 16 KiB', async () => {
        const input = { ...newUser(), name: 'n'.repeat(17 * 1024) };
        const response = await register(t, input);

        expectProblem(response, 413, 'payload_too_large');
        await expect(usersWithEmail(t, input.email)).resolves.toEqual([]);
      });
    });

    describe('POST /auth/login', () => {
      it('answers 200 with a token pair for the right password, whatever the case of the email', async () => {
        const user = await registerUser(t);
        const response = await request(t.server)
          .post(`${AUTH}/login`)
          .send({ email: `  ${user.user.email.toUpperCase()} `, password: user.password });

        expect(response.status).toBe(200);
        expect(response.headers['cache-control']).toBe('no-store');
        expect(Object.keys(response.body).sort()).toEqual(TOKEN_RESPONSE_KEYS);
        expect(response.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
        expectFreshRefreshLifetime(response.body.refreshExpiresIn);
        expect(decodeJwt(response.body.accessToken).payload.sub).toBe(user.user.id);
        expect(refreshCookieOf(response)?.value).toBe(response.body.refreshToken);
        await tokenInfo(t, response.body.accessToken).expect(200);
      });

      it('answers an unknown email and a wrong password with the same 401 invalid_credentials, and records login_failed', async () => {
        const user = await registerUser(t);
        const wrongPassword = await request(t.server)
          .post(`${AUTH}/login`)
          .set('user-agent', 'guesser/1')
          .send({ email: user.user.email, password: `${user.password}-wrong` });
        const unknownEmail = await request(t.server)
          .post(`${AUTH}/login`)
          .set('user-agent', 'guesser/1')
          .send({ email: newUser().email, password: user.password });

        expectProblem(wrongPassword, 401, 'invalid_credentials');
        expectProblem(unknownEmail, 401, 'invalid_credentials');
        expect(unknownEmail.body).toEqual(wrongPassword.body);
        expect(unknownEmail.headers['content-type']).toBe(wrongPassword.headers['content-type']);
        expect(unknownEmail.headers['www-authenticate']).toBe(wrongPassword.headers['www-authenticate']);
        expect(refreshCookieOf(wrongPassword)).toBeUndefined();

        const failures = await events(t, { userId: user.user.id, type: 'login_failed' });
        expect(failures).toHaveLength(1);
        expect(failures[0]).toMatchObject({ session_id: null, user_agent: 'guesser/1' });
        expect(failures[0].ip).toMatch(LOOPBACK);
        await expect(sessionsOfUser(t, user.user.id)).resolves.toHaveLength(1);
      });

      it('opens a separate session per login, with its user agent and ip', async () => {
        const user = await registerUser(t);
        const phone = await login(t, user.user.email, user.password, 'phone/1.0');
        const laptop = await login(t, user.user.email, user.password, 'laptop/2.0');

        const sessions = await sessionsOfUser(t, user.user.id);
        expect(sessions).toHaveLength(3);
        expect(new Set(sessions.map((session) => session.id)).size).toBe(3);
        expect(sessions.find((session) => session.id === sidOf(phone.accessToken))).toMatchObject({
          user_agent: 'phone/1.0',
          generation: 0,
          revoked_at: null,
        });
        expect(sessions.find((session) => session.id === sidOf(laptop.accessToken))).toMatchObject({
          user_agent: 'laptop/2.0',
          generation: 0,
          revoked_at: null,
        });
        for (const session of sessions) expect(session.ip).toMatch(LOOPBACK);
        expect(sidOf(phone.refreshToken)).toBe(sidOf(phone.accessToken));
        await expect(events(t, { userId: user.user.id, type: 'login' })).resolves.toHaveLength(3);
      });

      it('answers 400 for an unknown property in the login body', async () => {
        const user = await registerUser(t);
        const response = await request(t.server)
          .post(`${AUTH}/login`)
          .send({ email: user.user.email, password: user.password, rememberMe: true });

        expectProblem(response, 400, 'validation_failed');
        expect(response.body.errors).toEqual([{ field: 'rememberMe', message: expect.any(String) }]);
        await expect(sessionsOfUser(t, user.user.id)).resolves.toHaveLength(1);
      });
    });

    describe('tokens', () => {
      it('issues an at+jwt access token with the required claims and a 15-minute lifetime', async () => {
        const user = await registerUser(t);
        const { header, payload } = decodeJwt(user.accessToken);

        expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt', kid: expect.any(String) });
        expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'roles', 'sid', 'sub']);
        expect(payload).toMatchObject({ iss: 'auth-service', aud: 'api', sub: user.user.id, roles: ['user'] });
        expect(payload.sid).toEqual(expect.stringMatching(UUID));
        expect(payload.jti).toEqual(expect.any(String));
        expect((payload.exp as number) - (payload.iat as number)).toBe(900);
        expect(Math.abs((payload.iat as number) - nowSeconds())).toBeLessThanOrEqual(5);
        await expect(sessionsOfUser(t, user.user.id)).resolves.toEqual([expect.objectContaining({ id: payload.sid })]);

        const other = await login(t, user.user.email, user.password);
        expect(decodeJwt(other.accessToken).payload.jti).not.toBe(payload.jti);
      });

      it('issues an rt+jwt refresh token under another key, whose jti is <sid>.<generation>', async () => {
        const user = await registerUser(t);
        const access = decodeJwt(user.accessToken);
        const { header, payload } = decodeJwt(user.refreshToken);

        expect(header).toEqual({ alg: 'HS256', typ: 'rt+jwt', kid: expect.any(String) });
        expect(header.kid).not.toBe(access.header.kid);
        expect(Object.keys(payload).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'sid', 'sub']);
        expect(payload).toMatchObject({ iss: 'auth-service', aud: 'api', sub: user.user.id, sid: access.payload.sid });
        expect(payload.jti).toBe(`${access.payload.sid}.0`);
        expect((payload.exp as number) - (payload.iat as number)).toBe(REFRESH_TTL);

        const session = await sessionRow(t, payload.sid as string);
        expect({ iat: payload.iat, exp: payload.exp }).toEqual({ iat: session.rotated_at, exp: session.expires_at });
        // The database holds no token material.
        const [raw] = await t.db.query<Record<string, unknown>>('SELECT * FROM sessions WHERE id = $1', [payload.sid]);
        expect(JSON.stringify(raw)).not.toContain(user.refreshToken.split('.')[2]);
      });

      it('refuses an access token presented as a refresh token (401 token_invalid)', async () => {
        const user = await registerUser(t);
        const response = await refreshWithBody(t, user.accessToken);

        expectProblem(response, 401, 'token_invalid');
        await expect(sessionRow(t, sidOf(user.accessToken))).resolves.toMatchObject({ generation: 0, revoked_at: null });
      });

      it('refuses a refresh token presented as an access token (401 token_invalid, invalid_token challenge)', async () => {
        const user = await registerUser(t);
        const response = await tokenInfo(t, user.refreshToken);

        expectProblem(response, 401, 'token_invalid');
        expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
      });

      it('answers a protected route without a token with 401 token_missing and a bare Bearer challenge', async () => {
        const response = await request(t.server).get(TOKEN_INFO);

        expectProblem(response, 401, 'token_missing');
        expect(response.headers['www-authenticate']).toBe('Bearer');
      });

      it('answers a malformed bearer value with 401 token_invalid, and another scheme with 401 token_missing', async () => {
        const malformed = await request(t.server).get(TOKEN_INFO).set('Authorization', 'Bearer not-a-jwt');
        expectProblem(malformed, 401, 'token_invalid');
        expect(malformed.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);

        const user = await registerUser(t);
        const otherScheme = await request(t.server).get(TOKEN_INFO).set('Authorization', `Token ${user.accessToken}`);
        expectProblem(otherScheme, 401, 'token_missing');
        expect(otherScheme.headers['www-authenticate']).toBe('Bearer');
      });

      it('accepts an access token re-signed with the configured secret (control for the forgeries below)', async () => {
        const user = await registerUser(t);
        const { header, payload } = decodeJwt(user.accessToken);
        const forged = signJwt(header, { ...payload, jti: randomUUID() }, TEST_SECRETS.JWT_ACCESS_SECRET);

        expect(forged).not.toBe(user.accessToken);
        const response = await tokenInfo(t, forged).expect(200);
        expect(response.body).toMatchObject({ sub: user.user.id, sid: payload.sid });
      });

      const accessForgeries: { case: string; forge: (token: string, header: Claims, payload: Claims) => string }[] = [
        {
          case: 'a payload changed under the original signature',
          forge: (token, _header, payload) => {
            const [h, , s] = token.split('.');
            return `${h}.${b64url({ ...payload, roles: ['user', 'admin'] })}.${s}`;
          },
        },
        {
          case: 'a tampered signature',
          forge: (token) => {
            const [h, p, s] = token.split('.');
            return `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
          },
        },
        {
          case: 'alg: none without a signature',
          forge: (_token, header, payload) => `${b64url({ ...header, alg: 'none' })}.${b64url(payload)}.`,
        },
        {
          case: 'alg: none keeping the original signature',
          forge: (token, header, payload) => `${b64url({ ...header, alg: 'none' })}.${b64url(payload)}.${token.split('.')[2]}`,
        },
        {
          case: 'a token signed with a different secret',
          forge: (_token, header, payload) => signJwt(header, payload, 'a-different-secret-0123456789abcdef0123456789'),
        },
        {
          case: 'a token signed with the refresh secret',
          forge: (_token, header, payload) => signJwt(header, payload, TEST_SECRETS.JWT_REFRESH_SECRET),
        },
        {
          case: 'HS512 (algorithm switching) with the access secret',
          forge: (_token, header, payload) => signJwt({ ...header, alg: 'HS512' }, payload, TEST_SECRETS.JWT_ACCESS_SECRET, 'sha512'),
        },
        {
          case: 'a wrong issuer',
          forge: (_token, header, payload) => signJwt(header, { ...payload, iss: 'evil-issuer' }, TEST_SECRETS.JWT_ACCESS_SECRET),
        },
        {
          case: 'a wrong audience',
          forge: (_token, header, payload) => signJwt(header, { ...payload, aud: 'other-api' }, TEST_SECRETS.JWT_ACCESS_SECRET),
        },
        ...['sid', 'jti', 'exp', 'sub', 'iat', 'iss', 'aud', 'roles'].map((claim) => ({
          case: `a token without ${claim}`,
          forge: (_token: string, header: Claims, payload: Claims) =>
            signJwt(header, withoutKeys(payload, claim), TEST_SECRETS.JWT_ACCESS_SECRET),
        })),
        {
          case: 'a sub that is not a user id',
          forge: (_token, header, payload) => signJwt(header, { ...payload, sub: 'admin' }, TEST_SECRETS.JWT_ACCESS_SECRET),
        },
        {
          case: 'an unknown role',
          forge: (_token, header, payload) => signJwt(header, { ...payload, roles: ['root'] }, TEST_SECRETS.JWT_ACCESS_SECRET),
        },
        {
          case: 'a crit header',
          forge: (_token, header, payload) => signJwt({ ...header, crit: ['exp'] }, payload, TEST_SECRETS.JWT_ACCESS_SECRET),
        },
        {
          case: 'a header-supplied jwk',
          forge: (_token, header, payload) =>
            signJwt(
              { ...header, jwk: { kty: 'oct', k: Buffer.from(TEST_SECRETS.JWT_ACCESS_SECRET).toString('base64url') } },
              payload,
              TEST_SECRETS.JWT_ACCESS_SECRET,
            ),
        },
        {
          case: 'a jku header',
          forge: (_token, header, payload) =>
            signJwt({ ...header, jku: 'https://evil.example.com/jwks.json' }, payload, TEST_SECRETS.JWT_ACCESS_SECRET),
        },
        {
          case: 'typ rt+jwt',
          forge: (_token, header, payload) => signJwt({ ...header, typ: 'rt+jwt' }, payload, TEST_SECRETS.JWT_ACCESS_SECRET),
        },
        {
          case: 'typ JWT',
          forge: (_token, header, payload) => signJwt({ ...header, typ: 'JWT' }, payload, TEST_SECRETS.JWT_ACCESS_SECRET),
        },
        {
          case: 'an unknown kid',
          forge: (_token, header, payload) => signJwt({ ...header, kid: 'someone-elses-key' }, payload, TEST_SECRETS.JWT_ACCESS_SECRET),
        },
        {
          case: 'an exp past the clock tolerance',
          forge: (_token, header, payload) =>
            signJwt(header, { ...payload, iat: nowSeconds() - 915, exp: nowSeconds() - 15 }, TEST_SECRETS.JWT_ACCESS_SECRET),
        },
        {
          case: 'an nbf in the future',
          forge: (_token, header, payload) =>
            signJwt(header, { ...payload, nbf: nowSeconds() + 120 }, TEST_SECRETS.JWT_ACCESS_SECRET),
        },
      ];

      it.each(accessForgeries)('refuses an access token with $case (401 token_invalid)', async ({ forge }) => {
        const user = await registerUser(t);
        const { header, payload } = decodeJwt(user.accessToken);
        const forged = forge(user.accessToken, header, payload);

        const response = await tokenInfo(t, forged);

        expectProblem(response, 401, 'token_invalid');
        expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
        await tokenInfo(t, user.accessToken).expect(200);
      });

      it('accepts a refresh token re-signed with the refresh key (control for the forgeries below)', async () => {
        const user = await registerUser(t);
        const { header, payload } = decodeJwt(user.refreshToken);
        const response = await refreshWithBody(t, signJwt(header, payload, TEST_SECRETS.JWT_REFRESH_SECRET));

        expect(response.status).toBe(200);
        expect(decodeJwt(response.body.refreshToken).payload.jti).toBe(`${payload.sid}.1`);
      });

      const refreshForgeries: {
        case: string;
        codes: string[];
        forge: (token: string, header: Claims, payload: Claims) => string;
      }[] = [
        {
          case: 'a tampered signature',
          codes: ['token_invalid'],
          forge: (token) => {
            const [h, p, s] = token.split('.');
            return `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
          },
        },
        {
          case: 'alg: none',
          codes: ['token_invalid'],
          forge: (_token, header, payload) => `${b64url({ ...header, alg: 'none' })}.${b64url(payload)}.`,
        },
        {
          case: 'the access secret',
          codes: ['token_invalid'],
          forge: (_token, header, payload) => signJwt(header, payload, TEST_SECRETS.JWT_ACCESS_SECRET),
        },
        {
          case: 'typ at+jwt',
          codes: ['token_invalid'],
          forge: (_token, header, payload) => signJwt({ ...header, typ: 'at+jwt' }, payload, TEST_SECRETS.JWT_REFRESH_SECRET),
        },
        {
          case: 'a wrong audience',
          codes: ['token_invalid'],
          forge: (_token, header, payload) => signJwt(header, { ...payload, aud: 'other-api' }, TEST_SECRETS.JWT_REFRESH_SECRET),
        },
        {
          case: 'a crit header',
          codes: ['token_invalid'],
          forge: (_token, header, payload) => signJwt({ ...header, crit: ['exp'] }, payload, TEST_SECRETS.JWT_REFRESH_SECRET),
        },
        {
          case: 'no exp',
          codes: ['token_invalid'],
          forge: (_token, header, payload) => signJwt(header, withoutKeys(payload, 'exp'), TEST_SECRETS.JWT_REFRESH_SECRET),
        },
        {
          case: 'an expired exp',
          codes: ['token_invalid'],
          forge: (_token, header, payload) =>
            signJwt(header, { ...payload, exp: nowSeconds() - 60 }, TEST_SECRETS.JWT_REFRESH_SECRET),
        },
        {
          case: 'a jti that is not <sid>.<generation>',
          codes: ['token_invalid'],
          forge: (_token, header, payload) => signJwt(header, { ...payload, jti: randomUUID() }, TEST_SECRETS.JWT_REFRESH_SECRET),
        },
        {
          case: 'a generation the session has not reached (valid signature)',
          codes: ['token_invalid'],
          forge: (_token, header, payload) =>
            signJwt(header, { ...payload, jti: `${payload.sid}.5` }, TEST_SECRETS.JWT_REFRESH_SECRET),
        },
        {
          case: 'a session id that does not exist (valid signature)',
          codes: ['token_invalid', 'session_revoked'],
          forge: (_token, header, payload) => {
            const sid = randomUUID();
            return signJwt(header, { ...payload, sid, jti: `${sid}.0` }, TEST_SECRETS.JWT_REFRESH_SECRET);
          },
        },
        {
          case: 'another subject for this session (valid signature)',
          codes: ['token_invalid', 'session_revoked'],
          forge: (_token, header, payload) => signJwt(header, { ...payload, sub: randomUUID() }, TEST_SECRETS.JWT_REFRESH_SECRET),
        },
      ];

      it.each(refreshForgeries)('refuses a refresh token with $case, leaving the session as it was', async ({ forge, codes }) => {
        const user = await registerUser(t);
        const { header, payload } = decodeJwt(user.refreshToken);
        const response = await refreshWithBody(t, forge(user.refreshToken, header, payload));

        expect(response.status).toBe(401);
        expect(codes).toContain(response.body.code);
        expectProblem(response, 401, response.body.code);
        expect(response.body).not.toHaveProperty('accessToken');
        await expect(sessionRow(t, payload.sid as string)).resolves.toMatchObject({ generation: 0, revoked_at: null });
        await refreshWithBody(t, user.refreshToken).expect(200);
      });
    });

    describe('GET /auth/token-info', () => {
      it('answers the verified claims of the caller’s access token', async () => {
        const user = await registerUser(t);
        const { payload } = decodeJwt(user.accessToken);

        const response = await tokenInfo(t, user.accessToken);

        expect(response.status).toBe(200);
        expect(response.body).toEqual({ sub: user.user.id, sid: payload.sid, roles: ['user'], iat: payload.iat, exp: payload.exp });
      });
    });

    describe('POST /auth/refresh', () => {
      it('rotates: a new pair, generation 0 → 1, jti <sid>.1, a refresh event', async () => {
        const user = await registerUser(t);
        const sid = sidOf(user.accessToken);

        const before = nowSeconds();
        const response = await refreshWithBody(t, user.refreshToken, 'refresher/3');
        const after = nowSeconds();

        expect(response.status).toBe(200);
        expect(response.headers['cache-control']).toBe('no-store');
        expect(Object.keys(response.body).sort()).toEqual(TOKEN_RESPONSE_KEYS);
        expect(response.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
        expect(response.body.refreshToken).not.toBe(user.refreshToken);
        expect(response.body.accessToken).not.toBe(user.accessToken);
        const refreshed = decodeJwt(response.body.refreshToken).payload;
        expect(refreshed).toMatchObject({ sub: user.user.id, sid, jti: `${sid}.1` });
        expect(decodeJwt(response.body.accessToken).payload).toMatchObject({ sub: user.user.id, sid });
        expect(refreshCookieOf(response)?.value).toBe(response.body.refreshToken);

        const session = await sessionRow(t, sid);
        expect(session).toMatchObject({ generation: 1, revoked_at: null, user_agent: 'refresher/3' });
        expect({ iat: refreshed.iat, exp: refreshed.exp }).toEqual({ iat: session.rotated_at, exp: session.expires_at });
        expect(session.expires_at - session.rotated_at).toBe(REFRESH_TTL);
        expect(response.body.refreshExpiresIn).toBeGreaterThanOrEqual(session.expires_at - after);
        expect(response.body.refreshExpiresIn).toBeLessThanOrEqual(session.expires_at - before);
        await expect(events(t, { sessionId: sid, type: 'refresh' })).resolves.toHaveLength(1);
        await tokenInfo(t, response.body.accessToken).expect(200);
      });

      it('answers the previous token within the grace window with the same current refresh token, without forking', async () => {
        const user = await registerUser(t);
        const sid = sidOf(user.accessToken);
        const first = await refreshWithBody(t, user.refreshToken).expect(200);

        const replay = await refreshWithBody(t, user.refreshToken);

        expect(replay.status).toBe(200);
        expect(replay.body.refreshToken).toBe(first.body.refreshToken);
        expect(refreshCookieOf(replay)?.value).toBe(first.body.refreshToken);
        await tokenInfo(t, replay.body.accessToken).expect(200);
        await expect(sessionRow(t, sid)).resolves.toMatchObject({ generation: 1, revoked_at: null });

        // One chain: the shared current token rotates on as usual.
        const next = await refreshWithBody(t, first.body.refreshToken).expect(200);
        expect(decodeJwt(next.body.refreshToken).payload.jti).toBe(`${sid}.2`);
      });

      it('gives two concurrent refreshes with the same token the same refresh token', async () => {
        const user = await registerUser(t);
        const sid = sidOf(user.accessToken);

        const [a, b] = await Promise.all([refreshWithBody(t, user.refreshToken), refreshWithBody(t, user.refreshToken)]);

        expect([a.status, b.status]).toEqual([200, 200]);
        expect(a.body.refreshToken).toBe(b.body.refreshToken);
        expect(decodeJwt(a.body.refreshToken).payload.jti).toBe(`${sid}.1`);
        await expect(sessionRow(t, sid)).resolves.toMatchObject({ generation: 1, revoked_at: null });
      });

      it('continues the chain to a third generation', async () => {
        const user = await registerUser(t);
        const sid = sidOf(user.accessToken);
        const seen = new Set([user.refreshToken]);

        let current = user.refreshToken;
        for (const generation of [1, 2, 3]) {
          const response = await refreshWithBody(t, current).expect(200);
          current = response.body.refreshToken;
          expect(decodeJwt(current).payload.jti).toBe(`${sid}.${generation}`);
          expect(seen.has(current)).toBe(false);
          seen.add(current);
          await tokenInfo(t, response.body.accessToken).expect(200);
        }

        await expect(sessionRow(t, sid)).resolves.toMatchObject({ generation: 3, revoked_at: null });
        // AUTH_EVENTS_REFRESH=changes: only the first refresh came from a new user agent.
        await expect(events(t, { sessionId: sid, type: 'refresh' })).resolves.toHaveLength(1);
      });

      it('treats a token older than the immediate parent as reuse: 401 refresh_token_reused and the whole session revoked', async () => {
        const user = await registerUser(t);
        const otherDevice = await login(t, user.user.email, user.password, 'other-device');
        const sid = sidOf(user.accessToken);
        const second = await refreshWithBody(t, user.refreshToken).expect(200);
        const third = await refreshWithBody(t, second.body.refreshToken).expect(200);

        const reused = await refreshWithBody(t, user.refreshToken);

        expectProblem(reused, 401, 'refresh_token_reused');
        const session = await sessionRow(t, sid);
        expect(session.revoked_at).toBeInstanceOf(Date);
        expect(session.revoke_reason).toBe('refresh_token_reused');
        await expect(events(t, { sessionId: sid, type: 'refresh_token_reused' })).resolves.toHaveLength(1);

        // The legitimate holder's current tokens stop working too.
        expectProblem(await refreshWithBody(t, third.body.refreshToken), 401, 'session_revoked');
        const access = await tokenInfo(t, third.body.accessToken);
        expectProblem(access, 401, 'session_revoked');
        expect(access.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);

        // Other sessions of the user are not touched.
        await tokenInfo(t, otherDevice.accessToken).expect(200);
        await refreshWithBody(t, otherDevice.refreshToken).expect(200);
      });

      it('answers 401 token_missing without a refresh token', async () => {
        for (const body of [{}, { refreshToken: '' }]) {
          const response = await request(t.server).post(`${AUTH}/refresh`).send(body);
          expectProblem(response, 401, 'token_missing');
        }
      });

      it('answers 401 token_invalid for a malformed refresh token', async () => {
        expectProblem(await refreshWithBody(t, 'not.a.jwt'), 401, 'token_invalid');
      });

      it('answers 400 for an unknown property in the refresh body, without rotating', async () => {
        const user = await registerUser(t);
        const response = await request(t.server)
          .post(`${AUTH}/refresh`)
          .send({ refreshToken: user.refreshToken, deviceId: 'x' });

        expectProblem(response, 400, 'validation_failed');
        await expect(sessionRow(t, sidOf(user.accessToken))).resolves.toMatchObject({ generation: 0 });
      });

      it('puts the user’s current roles into the refreshed access token', async () => {
        const user = await registerUser(t);
        await makeAdmin(t, user.user.id);

        const response = await refreshWithBody(t, user.refreshToken).expect(200);

        expect(decodeJwt(response.body.accessToken).payload.roles).toEqual(['user', 'admin']);
        await expect(tokenInfo(t, response.body.accessToken)).resolves.toMatchObject({
          status: 200,
          body: expect.objectContaining({ roles: ['user', 'admin'] }),
        });
      });
    });

    describe('POST /auth/logout', () => {
      it('answers 204, revokes the session with reason logout, records a logout event and clears the cookie', async () => {
        const user = await registerUser(t);
        const sid = sidOf(user.accessToken);

        const response = await logoutWithBody(t, user.refreshToken);

        expect(response.status).toBe(204);
        expect(response.text).toBe('');
        expectClearedCookie(response);
        const session = await sessionRow(t, sid);
        expect(session.revoked_at).toBeInstanceOf(Date);
        expect(session.revoke_reason).toBe('logout');
        const logouts = await events(t, { sessionId: sid, type: 'logout' });
        expect(logouts).toEqual([expect.objectContaining({ user_id: user.user.id })]);
      });

      it('refuses the session’s refresh and access tokens afterwards with 401 session_revoked', async () => {
        const user = await registerUser(t);
        await logoutWithBody(t, user.refreshToken).expect(204);

        expectProblem(await refreshWithBody(t, user.refreshToken), 401, 'session_revoked');
        const access = await tokenInfo(t, user.accessToken);
        expectProblem(access, 401, 'session_revoked');
        expect(access.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
      });

      it('is idempotent for the same token', async () => {
        const user = await registerUser(t);
        const sid = sidOf(user.accessToken);
        await logoutWithBody(t, user.refreshToken).expect(204);
        const { revoked_at: revokedAt } = await sessionRow(t, sid);

        const again = await logoutWithBody(t, user.refreshToken);

        expect(again.status).toBe(204);
        await expect(sessionRow(t, sid)).resolves.toMatchObject({ revoked_at: revokedAt, revoke_reason: 'logout' });
        await expect(events(t, { sessionId: sid, type: 'logout' })).resolves.toHaveLength(1);
      });

      it('answers 401 token_missing without a token and token_invalid for a bad one', async () => {
        expectProblem(await request(t.server).post(`${AUTH}/logout`).send({}), 401, 'token_missing');
        expectProblem(await request(t.server).post(`${AUTH}/logout`), 401, 'token_missing');
        const user = await registerUser(t);
        expectProblem(await logoutWithBody(t, user.accessToken), 401, 'token_invalid');
        await expect(sessionRow(t, sidOf(user.accessToken))).resolves.toMatchObject({ revoked_at: null });
      });

      it('ends only the presented session', async () => {
        const user = await registerUser(t);
        const other = await login(t, user.user.email, user.password, 'second-device');

        await logoutWithBody(t, user.refreshToken).expect(204);

        await tokenInfo(t, other.accessToken).expect(200);
        await refreshWithBody(t, other.refreshToken).expect(200);
        await expect(sessionRow(t, sidOf(other.accessToken))).resolves.toMatchObject({ revoked_at: null, generation: 1 });
      });
    });

    describe('GET /.well-known/jwks.json', () => {
      it('publishes no keys with HS256', async () => {
        const response = await request(t.server).get('/.well-known/jwks.json');

        expect(response.status).toBe(200);
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(response.body).toEqual({ keys: [] });
      });
    });

    describe('CORS without CORS_ORIGINS', () => {
      it('allows no origin', async () => {
        const response = await request(t.server)
          .options(`${AUTH}/refresh`)
          .set('Origin', 'https://app.example.com')
          .set('Access-Control-Request-Method', 'POST');

        expect(response.headers['access-control-allow-origin']).toBeUndefined();
      });
    });
  });

  describe('with AUTH_REGISTRATION=closed', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { AUTH_REGISTRATION: 'closed' } });
    });

    afterAll(async () => {
      await t.close();
    });

    it('answers register with 403 forbidden and creates no user', async () => {
      const input = newUser();
      const response = await register(t, input);

      expectProblem(response, 403, 'forbidden');
      expect(refreshCookieOf(response)).toBeUndefined();
      await expect(usersWithEmail(t, input.email)).resolves.toEqual([]);
      await expect(countRows(t, 'sessions')).resolves.toBe(0);
    });
  });

  describe('with REFRESH_TOKEN_TRANSPORT=cookie', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { REFRESH_TOKEN_TRANSPORT: 'cookie', COOKIE_SECURE: 'false' } });
    });

    afterAll(async () => {
      await t.close();
    });

    const cookieRefresh = (refreshToken: string) =>
      request(t.server).post(`${AUTH}/refresh`).set('Cookie', `refresh_token=${refreshToken}`);

    async function registerWithCookie() {
      const response = await register(t, newUser()).expect(201);
      const cookie = refreshCookieOf(response);
      expect(cookie).toBeDefined();
      return { response, refreshToken: cookie!.value, sid: sidOf(response.body.accessToken) };
    }

    it('leaves refreshToken out of the body and sets it as a cookie (not Secure with COOKIE_SECURE=false)', async () => {
      const { response, refreshToken, sid } = await registerWithCookie();

      expect(Object.keys(response.body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshExpiresIn', 'tokenType', 'user']);
      expect(decodeJwt(refreshToken)).toMatchObject({ header: { typ: 'rt+jwt' }, payload: { jti: `${sid}.0` } });
      expect(Object.fromEntries(refreshCookieOf(response)!.attributes)).toEqual({
        httponly: true,
        samesite: 'Strict',
        path: '/api/v1/auth',
        'max-age': String(response.body.refreshExpiresIn),
      });
    });

    it('refreshes with only the cookie on an application/json request without a body, and sets a new cookie', async () => {
      const { refreshToken, sid } = await registerWithCookie();

      const response = await cookieRefresh(refreshToken).set('Content-Type', 'application/json');

      expect(response.status).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).not.toHaveProperty('refreshToken');
      const cookie = refreshCookieOf(response);
      expect(cookie?.value).toBeDefined();
      expect(cookie!.value).not.toBe(refreshToken);
      expect(decodeJwt(cookie!.value).payload.jti).toBe(`${sid}.1`);
      await expect(sessionRow(t, sid)).resolves.toMatchObject({ generation: 1 });
      await tokenInfo(t, response.body.accessToken).expect(200);
    });

    it('refreshes with only the cookie and an empty JSON object body', async () => {
      const { refreshToken, sid } = await registerWithCookie();

      const response = await cookieRefresh(refreshToken).send({});

      expect(response.status).toBe(200);
      expect(decodeJwt(refreshCookieOf(response)!.value).payload.jti).toBe(`${sid}.1`);
      await expect(sessionRow(t, sid)).resolves.toMatchObject({ generation: 1 });
    });

    it.each([
      { case: 'no content type', contentType: undefined, body: undefined },
      { case: 'text/plain', contentType: 'text/plain', body: 'x' },
      { case: 'an HTML form', contentType: 'application/x-www-form-urlencoded', body: 'a=b' },
    ])('answers a cookie-only refresh with $case with 415, without rotating (CSRF guard)', async ({ contentType, body }) => {
      const { refreshToken, sid } = await registerWithCookie();

      let pending = cookieRefresh(refreshToken);
      if (contentType) pending = pending.set('Content-Type', contentType);
      const response = await (body === undefined ? pending : pending.send(body));

      expectProblem(response, 415, 'unsupported_media_type');
      expect(refreshCookieOf(response)).toBeUndefined();
      await expect(sessionRow(t, sid)).resolves.toMatchObject({ generation: 0, revoked_at: null });
    });

    it('ignores a refresh token sent in the body (401 token_missing)', async () => {
      const { refreshToken, sid } = await registerWithCookie();

      expectProblem(await refreshWithBody(t, refreshToken), 401, 'token_missing');
      await expect(sessionRow(t, sid)).resolves.toMatchObject({ generation: 0 });
    });

    it('logs out with the cookie and clears it', async () => {
      const { refreshToken, sid } = await registerWithCookie();

      const response = await request(t.server)
        .post(`${AUTH}/logout`)
        .set('Cookie', `refresh_token=${refreshToken}`)
        .set('Content-Type', 'application/json');

      expect(response.status).toBe(204);
      expectClearedCookie(response);
      await expect(sessionRow(t, sid)).resolves.toMatchObject({ revoke_reason: 'logout' });
    });
  });

  describe('with REFRESH_TOKEN_TRANSPORT=body', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { REFRESH_TOKEN_TRANSPORT: 'body' } });
    });

    afterAll(async () => {
      await t.close();
    });

    it('sets no cookie on register, login and refresh', async () => {
      const input = newUser();
      const registered = await register(t, input).expect(201);
      const loggedIn = await request(t.server).post(`${AUTH}/login`).send({ email: input.email, password: input.password }).expect(200);
      const refreshed = await refreshWithBody(t, loggedIn.body.refreshToken).expect(200);

      for (const response of [registered, loggedIn, refreshed]) {
        expect(response.body.refreshToken).toEqual(expect.any(String));
        expect(response.headers['set-cookie']).toBeUndefined();
      }
    });

    it('ignores a refresh cookie (401 token_missing)', async () => {
      const user = await registerUser(t);

      const response = await request(t.server)
        .post(`${AUTH}/refresh`)
        .set('Cookie', `refresh_token=${user.refreshToken}`)
        .set('Content-Type', 'application/json');

      expectProblem(response, 401, 'token_missing');
      await expect(sessionRow(t, sidOf(user.accessToken))).resolves.toMatchObject({ generation: 0 });
    });
  });

  describe('with ACCESS_TOKEN_REVOCATION=off', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { ACCESS_TOKEN_REVOCATION: 'off' } });
    });

    afterAll(async () => {
      await t.close();
    });

    it('keeps accepting the access token after logout, while the refresh token is refused', async () => {
      const user = await registerUser(t);
      await logoutWithBody(t, user.refreshToken).expect(204);

      await expect(sessionRow(t, sidOf(user.accessToken))).resolves.toMatchObject({ revoke_reason: 'logout' });
      await tokenInfo(t, user.accessToken).expect(200);
      expectProblem(await refreshWithBody(t, user.refreshToken), 401, 'session_revoked');
    });
  });

  describe('with REFRESH_REUSE_GRACE=0', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { REFRESH_REUSE_GRACE: '0' } });
    });

    afterAll(async () => {
      await t.close();
    });

    it('treats the immediate parent as reuse and revokes the session', async () => {
      const user = await registerUser(t);
      const sid = sidOf(user.accessToken);
      const rotated = await refreshWithBody(t, user.refreshToken).expect(200);

      expectProblem(await refreshWithBody(t, user.refreshToken), 401, 'refresh_token_reused');

      await expect(sessionRow(t, sid)).resolves.toMatchObject({ revoke_reason: 'refresh_token_reused', generation: 1 });
      expectProblem(await refreshWithBody(t, rotated.body.refreshToken), 401, 'session_revoked');
      expectProblem(await tokenInfo(t, rotated.body.accessToken), 401, 'session_revoked');
    });
  });

  describe('with a 2-second access token and no clock tolerance', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { ACCESS_TOKEN_TTL: '2s', JWT_CLOCK_TOLERANCE: '0' } });
    });

    afterAll(async () => {
      await t.close();
    });

    it('refuses the access token once it has expired; the refresh token still gets a new one', async () => {
      const user = await registerUser(t);
      const { payload } = decodeJwt(user.accessToken);
      expect(user.expiresIn).toBe(2);
      expect((payload.exp as number) - (payload.iat as number)).toBe(2);
      await tokenInfo(t, user.accessToken).expect(200);

      await new Promise((resolve) => setTimeout(resolve, 2200));

      const expired = await tokenInfo(t, user.accessToken);
      expectProblem(expired, 401, 'token_invalid');
      expect(expired.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
      const refreshed = await refreshWithBody(t, user.refreshToken).expect(200);
      await tokenInfo(t, refreshed.body.accessToken).expect(200);
    });
  });

  describe('with rate limiting (3 login attempts per minute per IP and email)', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { THROTTLE_ENABLED: 'true', THROTTLE_LOGIN_LIMIT: '3', THROTTLE_LOGIN_TTL: '60s' } });
    });

    afterAll(async () => {
      await t.close();
    });

    const attempt = (email: string, password: string) => request(t.server).post(`${AUTH}/login`).send({ email, password });

    it('answers the 4th attempt for the same email with 429 rate_limited and Retry-After; another email still signs in', async () => {
      const user = await registerUser(t);
      const other = await registerUser(t);

      for (let i = 0; i < 3; i += 1) {
        expectProblem(await attempt(user.user.email, `wrong-${i}-password`), 401, 'invalid_credentials');
      }
      const limited = await attempt(user.user.email, user.password);

      expectProblem(limited, 429, 'rate_limited');
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(limited.body).not.toHaveProperty('accessToken');
      await expect(sessionsOfUser(t, user.user.id)).resolves.toHaveLength(1);

      const allowed = await attempt(other.user.email, other.password);
      expect(allowed.status).toBe(200);
    });

    it('counts case and whitespace variants of an email as the same account', async () => {
      const user = await registerUser(t);
      const variants = [user.user.email.toUpperCase(), ` ${user.user.email} `, user.user.email];

      for (const email of variants) await attempt(email, user.password).expect(200);

      expectProblem(await attempt(user.user.email.toUpperCase(), user.password), 429, 'rate_limited');
    });
  });

  describe('with two instances on one database', () => {
    let a: TestApp;
    let b: TestApp;

    beforeAll(async () => {
      a = await createTestApp();
      b = await createTestApp({ db: a.db });
    });

    afterAll(async () => {
      await b.close();
      await a.close();
    });

    it('refuses a logged-out session’s access token on the other instance within 1 second', async () => {
      const user = await registerUser(a);
      await tokenInfo(b, user.accessToken).expect(200);

      await logoutWithBody(a, user.refreshToken).expect(204);

      const deadline = Date.now() + 1000;
      let response = await tokenInfo(b, user.accessToken);
      while (response.status === 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        response = await tokenInfo(b, user.accessToken);
      }
      expectProblem(response, 401, 'session_revoked');
    });

    it('rotates on one instance and replays the same refresh token on the other within the grace window', async () => {
      const user = await registerUser(a);
      const sid = sidOf(user.accessToken);

      const rotated = await refreshWithBody(a, user.refreshToken).expect(200);
      const replayed = await refreshWithBody(b, user.refreshToken).expect(200);

      expect(replayed.body.refreshToken).toBe(rotated.body.refreshToken);
      const next = await refreshWithBody(b, rotated.body.refreshToken).expect(200);
      expect(decodeJwt(next.body.refreshToken).payload.jti).toBe(`${sid}.2`);
      await expect(sessionRow(a, sid)).resolves.toMatchObject({ generation: 2, revoked_at: null });
    });
  });

  describe('with CORS_ORIGINS=https://app.example.com', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { CORS_ORIGINS: 'https://app.example.com' } });
    });

    afterAll(async () => {
      await t.close();
    });

    const preflight = (origin: string) =>
      request(t.server)
        .options(`${AUTH}/refresh`)
        .set('Origin', origin)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type');

    it('allows a preflight from the configured origin, with credentials', async () => {
      const response = await preflight('https://app.example.com');

      expect(response.status).toBe(204);
      expect(response.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(response.headers['access-control-allow-credentials']).toBe('true');
      expect(response.headers['access-control-allow-methods']).toMatch(/POST/);
    });

    it('gives another origin no access-control-allow-origin', async () => {
      for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.com', 'null']) {
        const response = await preflight(origin);
        expect(response.headers['access-control-allow-origin']).toBeUndefined();
      }
    });

    it('marks an actual request from the configured origin as readable with credentials', async () => {
      const user = await registerUser(t);
      const response = await refreshWithBody(t, user.refreshToken).set('Origin', 'https://app.example.com').expect(200);

      expect(response.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(response.headers['access-control-allow-credentials']).toBe('true');
    });
  });
});
