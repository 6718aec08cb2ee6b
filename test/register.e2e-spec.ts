import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { claimsOf, decodeJwt, login, postRegister, sessionIdOf } from './factories/auth.factory.js';
import { newUser } from './factories/user.factory.js';
import { refreshCookieOf } from './setup/cookies.js';
import { useTestApp } from './setup/create-test-app.js';
import { countRows, events, sessionsOfUser, usersWithEmail } from './setup/db-reads.js';
import { expectProblem } from './setup/problem.js';
import { ARGON2ID_PREFIX, expectFreshRefreshLifetime, LOOPBACK, REFRESH_TTL, TOKEN_RESPONSE_KEYS, UUID } from './setup/token-expectations.js';

const AUTH = '/api/v1/auth';


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

describe('POST /auth/register', () => {
  const t = useTestApp();

  it('answers 201 with the user and a token pair, stores a normalised email and an argon2id hash, and opens a session', async () => {
    const input = newUser();
    const response = await postRegister(t, { ...input, email: `  ${input.email.toUpperCase()}  ` }, 'register-agent/1.0');

    expect(response.status).toBe(201);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(Object.keys(response.body).sort()).toEqual([...TOKEN_RESPONSE_KEYS, 'user'].sort());
    expect(response.body).toEqual({
      user: {
        id: expect.stringMatching(UUID),
        email: input.email,
        emailVerified: false,
        name: input.name,
        roles: ['user'],
        disabled: false,
        createdAt: expect.any(String),
      },
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
      id: sessionIdOf(response.body.accessToken),
      generation: 0,
      revoked_at: null,
      user_agent: 'register-agent/1.0',
    });
    expect(sessions[0].ip).toMatch(LOOPBACK);
    expect(sessionIdOf(response.body.refreshToken)).toBe(sessions[0].id);
    await expect(events(t, { sessionId: sessions[0].id, type: 'login' })).resolves.toHaveLength(1);
  });

  it('sets the refresh cookie HttpOnly, SameSite=Strict, Secure, scoped to /api/v1/auth, with the refresh lifetime', async () => {
    const response = await postRegister(t, newUser()).expect(201);

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
    const first = await postRegister(t, { ...input, email: input.email.toUpperCase() }).expect(201);
    expect(first.body.user.email).toBe(input.email);

    const second = await postRegister(t, newUser({ email: input.email }));

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
    const response = await postRegister(t, input);

    expectProblem(response, 400, 'validation_failed');
    expect(response.body.errors).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
    expect(response.body.errors.every((error: { field: string }) => error.field === field)).toBe(true);
    if (typeof input.email === 'string') await expect(usersWithEmail(t, input.email)).resolves.toEqual([]);
  });

  it('accepts an email of exactly 254 characters', async () => {
    const email = emailOfLength(254);
    const response = await postRegister(t, newUser({ email })).expect(201);
    expect(response.body.user.email).toBe(email);
    await expect(usersWithEmail(t, email)).resolves.toHaveLength(1);
  });

  it('counts password length in code points: 128 emoji are accepted and sign in', async () => {
    const password = '🔑'.repeat(128); // 256 UTF-16 units
    const input = newUser({ password });
    const response = await postRegister(t, input).expect(201);

    const [user] = await t.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [
      response.body.user.id,
    ]);
    expect(user.password_hash.startsWith(ARGON2ID_PREFIX)).toBe(true);
    const tokens = await login(t, input.email, password);
    expect(claimsOf(tokens.accessToken).sub).toBe(response.body.user.id);
    // Never truncated: the first 127 code points are not the password.
    const truncated = await request(t.server).post(`${AUTH}/login`).send({ email: input.email, password: '🔑'.repeat(127) });
    expectProblem(truncated, 401, 'invalid_credentials');
  });

  it('answers 400 for fields a client must not set (roles, id), and creates neither user nor session', async () => {
    const sessionsBefore = await countRows(t, 'sessions');
    for (const extra of [{ roles: ['admin'] }, { id: randomUUID() }]) {
      const input = { ...newUser(), ...extra };
      const response = await postRegister(t, input);

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
    const response = await postRegister(t, input);

    expectProblem(response, 413, 'payload_too_large');
    await expect(usersWithEmail(t, input.email)).resolves.toEqual([]);
  });
});

describe('with AUTH_REGISTRATION=closed', () => {
  const t = useTestApp({ env: { AUTH_REGISTRATION: 'closed' } });

  it('answers register with 403 forbidden and creates no user', async () => {
    const input = newUser();
    const response = await postRegister(t, input);

    expectProblem(response, 403, 'forbidden');
    expect(refreshCookieOf(response)).toBeUndefined();
    await expect(usersWithEmail(t, input.email)).resolves.toEqual([]);
    await expect(countRows(t, 'sessions')).resolves.toBe(0);
  });
});
