import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { refreshWith, registerUser } from './factories/auth.factory.js';
import { useTestApp } from './setup/create-test-app.js';

const AUTH = '/api/v1/auth';

describe('CORS without CORS_ORIGINS', () => {
  const t = useTestApp();

  it('allows no origin', async () => {
    const response = await request(t.server)
      .options(`${AUTH}/refresh`)
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', 'POST');

    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('with CORS_ORIGINS=https://app.example.com', () => {
  const t = useTestApp({ env: { CORS_ORIGINS: 'https://app.example.com' } });

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

  it.each([
    ['PATCH', '/api/v1/users/me', 'authorization,content-type'],
    ['DELETE', '/api/v1/auth/sessions/6adbfc9c-6f68-43a6-a2f0-0d49d5cdcea5', 'authorization,x-request-id'],
    ['GET', '/api/v1/auth/events', 'authorization'],
  ])('answers a preflight for %s with every method and header the API uses', async (method, path, headers) => {
    const response = await request(t.server)
      .options(path)
      .set('Origin', 'https://app.example.com')
      .set('Access-Control-Request-Method', method)
      .set('Access-Control-Request-Headers', headers);

    expect(response.status).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    expect(response.headers['access-control-allow-methods']?.split(/,\s*/).sort()).toEqual(['DELETE', 'GET', 'HEAD', 'PATCH', 'POST']);
    expect(response.headers['access-control-allow-headers']?.toLowerCase().split(/,\s*/).sort()).toEqual([
      'authorization',
      'content-type',
      'x-request-id',
    ]);
  });

  it('exposes X-Request-Id and Retry-After to the page', async () => {
    const response = await request(t.server).get('/api/v1/auth/events').set('Origin', 'https://app.example.com');

    expect(response.status).toBe(401);
    expect(response.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(response.headers['access-control-expose-headers']?.toLowerCase().split(/,\s*/).sort()).toEqual(['retry-after', 'x-request-id']);
  });

  it('gives another origin no access-control-allow-origin', async () => {
    for (const origin of ['https://evil.example.com', 'https://app.example.com.evil.com', 'null']) {
      const response = await preflight(origin);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('marks an actual request from the configured origin as readable with credentials', async () => {
    const user = await registerUser(t);
    const response = await refreshWith(t, user.refreshToken).set('Origin', 'https://app.example.com').expect(200);

    expect(response.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(response.headers['access-control-allow-credentials']).toBe('true');
  });
});
