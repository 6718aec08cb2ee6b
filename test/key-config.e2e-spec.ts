import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildPrivately, runService } from './setup/private-build.js';
import { TEST_SECRETS } from './setup/create-test-app.js';
import { TestDatabase } from './setup/database.js';

const pem = (type: 'ec' | 'rsa') =>
  (type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 })
  ).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

/** The base64 body lines of a PEM: the key material that must never be printed. */
const bodyLines = (text: string) => text.split(/\r?\n|\\n/).filter((line) => line && !line.startsWith('-----'));

/**
 * API.md key rule, proven on the built service as it is started in production (`node dist/main.js`
 * with env): which values start, which stop start-up, and that no key material reaches the logs.
 */
describe('JWT_PRIVATE_KEY on the built service', () => {
  let main: string;
  let db: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'auth-key-config-'));

  beforeAll(async () => {
    [main, db] = await Promise.all([buildPrivately('key-config'), TestDatabase.create()]);
  }, 120_000);

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (main) rmSync(dirname(main), { recursive: true, force: true });
    await db?.drop();
  });

  const start = (jwtPrivateKey: string) =>
    runService(main, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: '0',
      DATABASE_URL: db.url,
      JWT_ALGORITHM: 'ES256',
      JWT_PRIVATE_KEY: jwtPrivateKey,
      JWT_REFRESH_SECRET: TEST_SECRETS.JWT_REFRESH_SECRET,
    });

  it.each([
    ['double-quoted, with real newlines', (key: string) => `"${key.trim()}"`],
    ['single-quoted, with literal \\n escapes', (key: string) => `'${key.trim().replaceAll('\n', '\\n')}'`],
  ])('starts with a PEM %s (what docker --env-file passes)', async (_case, quote) => {
    const key = pem('ec');

    const run = await start(quote(key));

    expect({ listened: run.listened, stderr: run.stderr }).toEqual({ listened: true, stderr: '' });
    expect(run.code).toBe(0);
    for (const line of bodyLines(key)) expect(run.stdout + run.stderr).not.toContain(line);
  }, 60_000);

  const refusals: [string, () => { value: string; material: string }][] = [
    ['a key file that does not exist', () => ({ value: join(dir, 'missing.pem'), material: '' })],
    [
      'a broken PEM (one body line altered)',
      () => {
        const key = pem('ec');
        const lines = key.trim().split('\n');
        lines[2] = `${lines[2].slice(0, -4)}AAAA`;
        lines.splice(1, 1);
        return { value: `"${lines.join('\n')}"`, material: lines.join('\n') };
      },
    ],
    ['an RSA key for ES256 (wrong type), in a file', () => {
      const key = pem('rsa');
      const file = join(dir, 'rsa.pem');
      writeFileSync(file, key, { mode: 0o600 });
      return { value: file, material: key };
    }],
    ['an RSA key for ES256 (wrong type), inline', () => {
      const key = pem('rsa');
      return { value: key, material: key };
    }],
    ['a PEM body without its BEGIN line (taken for a path)', () => {
      const body = bodyLines(pem('ec')).join('');
      return { value: body, material: body };
    }],
  ];

  it.each(refusals)('exits 1 naming JWT_PRIVATE_KEY, with no key material printed, for %s', async (_case, make) => {
    const { value, material } = make();

    const run = await start(value);

    expect({ code: run.code, listened: run.listened }).toEqual({ code: 1, listened: false });
    const output = run.stdout + run.stderr;
    expect(output).toMatch(/JWT_PRIVATE_KEY/);
    for (const line of bodyLines(material)) expect(output).not.toContain(line);
    // Some distinctive stretch of the material, whatever its line breaks.
    const flat = bodyLines(material).join('');
    for (let at = 0; at + 16 <= flat.length; at += 16) expect(output).not.toContain(flat.slice(at, at + 16));
  }, 60_000);
});
