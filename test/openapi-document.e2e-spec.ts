import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { OpenAPIObject, OperationObject, ParameterObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import request from 'supertest';
import { buildOpenApiDocument } from '../src/openapi.js';
import { bearer, registerUser } from './factories/auth.factory.js';
import { createTestApp, type TestApp } from './setup/create-test-app.js';

const METHODS = ['get', 'post', 'patch', 'delete'] as const;

/**
 * `npm run lint:openapi` lints what openapi.ts builds, so that must be what the service serves;
 * and what the lint made the document say must be what the service does.
 */
describe('OpenAPI document for the lint', () => {
  let t: TestApp;
  let doc: OpenAPIObject;

  beforeAll(async () => {
    t = await createTestApp({ env: { THROTTLE_ENABLED: 'true' } });
    doc = (await request(t.server).get('/docs-json').expect(200)).body;
  });

  afterAll(async () => {
    await t.close();
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => ({ name: `${method} ${path}`, op: item[method] as OperationObject })),
    );
  const schema = (name: string) => doc.components?.schemas?.[name] as SchemaObject;

  it('is built without a database and equals GET /docs-json', async () => {
    const built = await buildOpenApiDocument();
    expect(JSON.parse(JSON.stringify(built))).toEqual(doc);
  });

  it('names a relative server and documents a problem-document 500 on every operation', () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/', 'x-internal': false })]);
    const without500 = operations().filter(({ op }) => !(op.responses['500'] as ResponseObject | undefined)?.content);
    expect(without500.map(({ name }) => name)).toEqual([]);
  });

  it('declares the refresh cookie as an apiKey-in-cookie scheme on refresh and logout', () => {
    const [name, scheme] = Object.entries(doc.components?.securitySchemes ?? {}).find(([, s]) => 'in' in s && s.in === 'cookie')!;
    expect(scheme).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'refresh_token' });
    for (const path of ['/api/v1/auth/refresh', '/api/v1/auth/logout']) expect(doc.paths[path].post?.security).toEqual([{ [name]: [] }]);
  });

  it('bounds the strings clients send with the limits the validation enforces', () => {
    expect(schema('LoginDto').properties).toMatchObject({ email: { maxLength: 254 }, password: { maxLength: 256 } });
    expect(schema('RefreshTokenDto').properties).toMatchObject({ refreshToken: { maxLength: 4096 } });
    expect(schema('ChangePasswordDto').properties).toMatchObject({ currentPassword: { maxLength: 256 } });
    expect(schema('DeleteAccountDto').properties).toMatchObject({ currentPassword: { maxLength: 256 } });
    expect(schema('ChangeEmailDto').properties).toMatchObject({ newEmail: { maxLength: 254 }, currentPassword: { maxLength: 256 } });
    expect(schema('VerifyEmailDto').properties).toMatchObject({ token: { maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' } });
    expect(schema('AdminUpdateUserDto').properties).toMatchObject({ roles: { maxItems: 2, uniqueItems: true } });
  });

  it('types the paging parameters as bounded integers, and the service enforces the bounds', async () => {
    const parameters = (doc.paths['/api/v1/auth/events'].get?.parameters ?? []) as ParameterObject[];
    const bounds = Object.fromEntries(parameters.map(({ name, schema: s }) => [name, s]));
    expect(bounds).toMatchObject({
      page: { type: 'integer', minimum: 1, maximum: 100_000 },
      pageSize: { type: 'integer', minimum: 1, maximum: 100 },
    });
    const user = await registerUser(t);
    const events = (query: string) => request(t.server).get(`/api/v1/auth/events?${query}`).set(bearer(user.accessToken));
    await events('page=100000&pageSize=100').expect(200);
    await events('page=100001').expect(400);
  });

  it('documents the rate-limit headers the limited routes send', async () => {
    const login = doc.paths['/api/v1/auth/login'].post!;
    const documented = Object.keys((login.responses['200'] as ResponseObject).headers ?? {});
    expect(Object.keys((login.responses['429'] as ResponseObject).headers ?? {})).toContain('Retry-After');

    const user = await registerUser(t);
    const response = await request(t.server).post('/api/v1/auth/login').send({ email: user.user.email, password: user.password }).expect(200);
    const sent = Object.keys(response.headers).filter((header) => header.startsWith('x-ratelimit-'));
    expect(sent.length).toBeGreaterThan(0);
    expect(documented.map((header) => header.toLowerCase()).sort()).toEqual(sent.sort());
  });
});
