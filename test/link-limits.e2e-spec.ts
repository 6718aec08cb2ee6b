import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { forgotPassword, resendVerification } from './factories/account.factory.js';
import { registerUser } from './factories/auth.factory.js';
import { newUser } from './factories/user.factory.js';
import { createTestApp, type TestApp } from './setup/create-test-app.js';
import { expectProblem } from './setup/problem.js';

const HOUR_SECONDS = 3600;

function expectLimited(response: Awaited<ReturnType<typeof forgotPassword>>): void {
  expectProblem(response, 429, 'rate_limited');
  const retryAfter = Number(response.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(HOUR_SECONDS);
}

describe('Hourly limits of the routes that mail links (THROTTLE_ENABLED=true)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Mails go to the (silent) log: the limits are about the requests, not the delivery.
    t = await createTestApp({ env: { THROTTLE_ENABLED: 'true', AUTH_EMAIL_VERIFICATION: 'optional' } });
  });

  afterAll(async () => {
    await t?.close();
  });

  // One test: both forgot windows count every request from this (loopback) address.
  it('limits forgot to 5 per email and 20 per IP per hour, whatever the email', async () => {
    const email = newUser().email;
    for (let attempt = 1; attempt <= 5; attempt += 1) expect((await forgotPassword(t, email)).status).toBe(202);
    expectLimited(await forgotPassword(t, email));
    expectLimited(await forgotPassword(t, `  ${email.toUpperCase()}`));

    // Seven requests from this address so far; thirteen more fit in its hour.
    for (let attempt = 8; attempt <= 20; attempt += 1) expect((await forgotPassword(t, newUser().email)).status).toBe(202);
    expectLimited(await forgotPassword(t, newUser().email));
  });

  it('limits verification resends to 5 per user per hour', async () => {
    const user = await registerUser(t);
    const other = await registerUser(t);

    for (let attempt = 1; attempt <= 5; attempt += 1) expect((await resendVerification(t, user.accessToken)).status).toBe(202);
    expectLimited(await resendVerification(t, user.accessToken));
    expect((await resendVerification(t, other.accessToken)).status).toBe(202);
    const links = await t.db.query(`SELECT 1 FROM link_tokens WHERE user_id = $1`, [user.user.id]);
    // The registration's link and five resends; the refused request stored nothing.
    expect(links).toHaveLength(6);
  });
});
