import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { buildOpenApiDocument } from '../src/openapi.js';
import { createTestApp, type TestApp } from './setup/create-test-app.js';

/** `npm run lint:openapi` lints what openapi.ts builds; that must be what the service serves. */
describe('OpenAPI document for the lint', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('is built without a database and equals GET /docs-json', async () => {
    const served = await request(t.server).get('/docs-json').expect(200);
    const built = await buildOpenApiDocument();
    expect(JSON.parse(JSON.stringify(built))).toEqual(served.body);
  });
});
