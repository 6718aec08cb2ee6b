import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { bearer, registerUser } from './factories/auth.factory.js';
import { useTestApp } from './setup/create-test-app.js';

/** What an API answer carries: JSON is never a page, so nothing may load in it and nothing may frame it. */
const API_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};
/** helmet's headers that only mean something for a page. */
const PAGE_ONLY = ['origin-agent-cluster', 'x-dns-prefetch-control', 'x-download-options', 'x-permitted-cross-domain-policies', 'x-xss-protection'];

describe('Security headers', () => {
  const t = useTestApp();

  it('on API answers, errors and unknown routes included: the API set, none of the page-only headers', async () => {
    const user = await registerUser(t);
    const answers = [
      await request(t.server).get('/api/v1/users/me').set(bearer(user.accessToken)).expect(200),
      await request(t.server).get('/api/v1/users/me').expect(401),
      await request(t.server).get('/api/v1/nothing-here').expect(404),
      await request(t.server).get('/docs-json').expect(200),
    ];

    for (const response of answers) {
      expect(response.headers).toMatchObject(API_HEADERS);
      for (const name of PAGE_ONLY) expect(response.headers[name]).toBeUndefined();
    }
  });

  it("on Swagger UI's page and assets: helmet's set for pages, with the page's own CSP", async () => {
    for (const path of ['/docs', '/docs/swagger-ui-init.js']) {
      const response = await request(t.server).get(path).expect(200);

      expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      for (const name of PAGE_ONLY) expect(response.headers[name]).toBeDefined();
    }
  });
});
