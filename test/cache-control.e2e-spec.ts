import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { bearer, postRegister, registerUser } from './factories/auth.factory.js';
import { newUser } from './factories/user.factory.js';
import { refreshCookieOf } from './setup/cookies.js';
import { useTestApp } from './setup/create-test-app.js';
import { expectProblem } from './setup/problem.js';

/** API.md: responses to credentialed requests (bearer or refresh cookie), errors included, and token responses. */
describe('Cache-Control: no-store', () => {
  const t = useTestApp({ env: { REFRESH_TOKEN_TRANSPORT: 'cookie', COOKIE_SECURE: 'false' } });

  it('on GET /users/me', async () => {
    const user = await registerUser(t);

    const response = await request(t.server).get('/api/v1/users/me').set(bearer(user.accessToken)).expect(200);

    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('on a 401 to a request with a bad bearer, and on a 404 of an unknown route with one', async () => {
    const unauthorized = await request(t.server).get('/api/v1/users/me').set(bearer('not-a-jwt'));
    expectProblem(unauthorized, 401, 'token_invalid');
    expect(unauthorized.headers['cache-control']).toBe('no-store');

    const unknown = await request(t.server).get('/api/v1/nothing-here').set(bearer('not-a-jwt'));
    expect(unknown.status).toBe(404);
    expect(unknown.headers['cache-control']).toBe('no-store');
  });

  it('on a refresh by cookie, and on its 415 when the request is not JSON', async () => {
    const registered = await postRegister(t, newUser()).expect(201);
    expect(registered.headers['cache-control']).toBe('no-store');
    const cookie = `refresh_token=${refreshCookieOf(registered)!.value}`;

    const refreshed = await request(t.server).post('/api/v1/auth/refresh').set('Cookie', cookie).set('Content-Type', 'application/json');
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers['cache-control']).toBe('no-store');

    const form = await request(t.server).post('/api/v1/auth/refresh').set('Cookie', cookie).type('form').send('a=1');
    expectProblem(form, 415, 'unsupported_media_type');
    expect(form.headers['cache-control']).toBe('no-store');
  });

  it('on the JWKS when asked with a bearer, but not on an anonymous JWKS read (it is public and cacheable)', async () => {
    const anonymous = await request(t.server).get('/.well-known/jwks.json').expect(200);
    expect(anonymous.headers['cache-control']).toBe('public, max-age=300');

    const credentialed = await request(t.server).get('/.well-known/jwks.json').set(bearer('x')).expect(200);
    expect(credentialed.headers['cache-control']).toBe('no-store');
  });
});
