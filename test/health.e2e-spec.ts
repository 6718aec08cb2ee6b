import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { useTestApp } from './setup/create-test-app.js';

describe('health, docs and cross-cutting HTTP behaviour', () => {
  const t = useTestApp();

  it('GET /health/live answers 200 outside the /api prefix', async () => {
    const response = await request(t.server).get('/health/live').expect(200);
    expect(response.body.status).toBe('ok');
  });

  it('GET /health/ready reports the database and applied migrations', async () => {
    const response = await request(t.server).get('/health/ready').expect(200);
    expect(response.body.details).toMatchObject({ database: { status: 'up' }, migrations: { status: 'up' } });
    const migrations = await t.db.query<{ name: string }>('SELECT name FROM migrations');
    expect(migrations.map((row) => row.name)).toContain('InitialSchema1764000000000');
  });

  it('echoes a well-formed X-Request-Id and generates one otherwise', async () => {
    const echoed = await request(t.server).get('/health/live').set('X-Request-Id', 'trace-123.abc').expect(200);
    expect(echoed.headers['x-request-id']).toBe('trace-123.abc');
    const generated = await request(t.server).get('/health/live').set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers unknown routes with a not_found problem document', async () => {
    const response = await request(t.server).get('/api/v1/nope').expect(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 404, code: 'not_found', instance: '/api/v1/nope' });
    expect(response.headers['x-request-id']).toBeDefined();
  });
});
