import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { postRegister } from './factories/auth.factory.js';
import { newUser } from './factories/user.factory.js';
import { refreshCookieOf } from './setup/cookies.js';
import { useTestApp } from './setup/create-test-app.js';

interface RequestBody {
  required?: boolean;
  content: Record<string, { example?: unknown; examples?: Record<string, { value: unknown }> }>;
}

/**
 * Swagger UI's "Try it out" sends the request body example it shows. For refresh and logout that
 * must be an empty body: a placeholder token would win over the cookie the browser holds (401).
 */
describe('OpenAPI: refresh and logout request examples', () => {
  const t = useTestApp({ env: { REFRESH_TOKEN_TRANSPORT: 'cookie', COOKIE_SECURE: 'false' } });

  const requestBody = async (path: string): Promise<RequestBody> => {
    const doc = (await request(t.server).get('/docs-json').expect(200)).body;
    return doc.paths[path].post.requestBody;
  };

  it.each(['/api/v1/auth/refresh', '/api/v1/auth/logout'])('%s: an optional body whose only examples are {} (no token in them)', async (path) => {
    const body = await requestBody(path);

    expect(body.required).toBe(false);
    expect(Object.keys(body.content)).toEqual(['application/json']);
    const media = body.content['application/json'];
    expect(media.example).toBeUndefined();
    expect(Object.values(media.examples ?? {}).map((example) => example.value)).toEqual([{}]);
    expect(JSON.stringify(body)).not.toMatch(/refreshToken|eyJ/);
  });

  it('sending the documented example with the cookie, as Try it out does, refreshes and then logs out', async () => {
    const registered = await postRegister(t, newUser()).expect(201);
    const example = Object.values((await requestBody('/api/v1/auth/refresh')).content['application/json'].examples!)[0].value;

    const refreshed = await request(t.server)
      .post('/api/v1/auth/refresh')
      .set('Cookie', `refresh_token=${refreshCookieOf(registered)!.value}`)
      .send(example as object)
      .expect(200);
    const logoutExample = Object.values((await requestBody('/api/v1/auth/logout')).content['application/json'].examples!)[0].value;
    await request(t.server)
      .post('/api/v1/auth/logout')
      .set('Cookie', `refresh_token=${refreshCookieOf(refreshed)!.value}`)
      .send(logoutExample as object)
      .expect(204);
  });
});
