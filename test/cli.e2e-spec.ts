import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createAdmin } from '../src/cli/create-admin.command.js';
import { bearer, login } from './factories/auth.factory.js';
import { useTestApp } from './setup/create-test-app.js';

/** `npm run cli -- create-admin` runs this command; here against the suite's database. */
describe('CLI create-admin', () => {
  const t = useTestApp();

  it('creates an admin who can log in and list users', async () => {
    const line = await createAdmin(['--email', ' Boss@Example.com ', '--password', 'a long admin passphrase'], t.config);
    expect(line).toMatch(/^Created admin boss@example\.com \([0-9a-f-]{36}\)$/);
    const rows = await t.db.query<{ roles: string[]; password_hash: string }>(
      `SELECT roles, password_hash FROM users WHERE email = 'boss@example.com'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].roles).toEqual(['user', 'admin']);
    expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const tokens = await login(t, 'boss@example.com', 'a long admin passphrase');
    await request(t.server).get('/api/v1/users').set(bearer(tokens.accessToken)).expect(200);
  });

  it('promotes an existing account once, keeping its password', async () => {
    const email = 'member@example.com';
    await request(t.server).post('/api/v1/auth/register').send({ email, password: 'member passphrase 1' }).expect(201);
    await expect(createAdmin(['--email', email, '--password', 'ignored passphrase'], t.config)).resolves.toMatch(
      /^Granted admin to existing user member@example\.com/,
    );
    await expect(createAdmin(['--email', email, '--password', 'ignored passphrase'], t.config)).resolves.toMatch(
      /is already an admin$/,
    );
    const rows = await t.db.query<{ roles: string[] }>(`SELECT roles FROM users WHERE email = $1`, [email]);
    expect(rows[0].roles).toEqual(['user', 'admin']);
    await login(t, email, 'member passphrase 1');
  });

  it('refuses a bad email or a weak password with the usage, creating nothing', async () => {
    await expect(createAdmin(['--email', 'not-an-email', '--password', 'a long admin passphrase'], t.config)).rejects.toThrow(
      /email must be an email[\s\S]*Usage: npm run cli -- create-admin/,
    );
    await expect(createAdmin(['--email', 'weak@example.com', '--password', 'password'], t.config)).rejects.toThrow(
      /password/,
    );
    const rows = await t.db.query(`SELECT 1 FROM users WHERE email IN ('not-an-email', 'weak@example.com')`);
    expect(rows).toHaveLength(0);
  });
});
