import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { bearer, login, registerUser } from './factories/auth.factory.js';
import { envLinesOf, runCli } from './setup/cli.js';
import { createTestApp, TEST_SECRETS, type TestApp } from './setup/create-test-app.js';
import { TestDatabase } from './setup/database.js';
import { expectProblem } from './setup/problem.js';

/**
 * The README's "Rotating signing keys", followed step by step: keys from the CLI (a spawned
 * process), two instances on one database rolled one at a time, and every token checked from
 * outside the service the way a resource server does: jose against the published JWKS over HTTP.
 */

interface GeneratedKey {
  kid: string;
  privateKeyPath: string;
  publicKeyPath: string;
  env: Record<string, string>;
}

interface Instance {
  t: TestApp;
  jwksUrl: URL;
}

/** The README's procedure, the text this suite follows. */
const PROCEDURE = /### Rotating signing keys\n[\s\S]*?(?=\n##)/.exec(readFileSync(new URL('../README.md', import.meta.url), 'utf8'))?.[0] ?? '';

let keysDir: string;

async function generateKey(alg: 'ES256' | 'RS256', out = keysDir): Promise<GeneratedKey> {
  const result = await runCli(['keys:generate', '--alg', alg, '--out', out]);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  const env = envLinesOf(result.stdout);
  const kid = /^# \w+ key pair, kid (\S+)$/m.exec(result.stdout)?.[1] ?? '';
  // Only paths and names on stdout: no PEM armour, no base64 body of either key.
  expect(result.stdout).not.toMatch(/-----BEGIN|PRIVATE KEY-----/);
  for (const path of [env.JWT_PRIVATE_KEYS, env.JWT_PUBLIC_KEYS]) {
    const body = readFileSync(path, 'utf8').split('\n').filter((line) => line && !line.startsWith('-----'));
    for (const line of body) expect(result.stdout).not.toContain(line);
  }
  return { kid, privateKeyPath: env.JWT_PRIVATE_KEYS, publicKeyPath: env.JWT_PUBLIC_KEYS, env };
}

async function startInstance(db: TestDatabase, env: Record<string, string>): Promise<Instance> {
  const t = await createTestApp({ db, env: { JWT_REFRESH_SECRET: TEST_SECRETS.JWT_REFRESH_SECRET, ...env } });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.server.address() as AddressInfo;
  return { t, jwksUrl: new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`) };
}

/** A resource server's check of an access token: signature from the JWKS, issuer, audience, typ. */
async function verifyOutside(token: string, jwks: JWTVerifyGetKey) {
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    issuer: 'auth-service',
    audience: 'api',
    typ: 'at+jwt',
    algorithms: ['ES256', 'RS256'],
  });
  return { sub: payload.sub, kid: protectedHeader.kid };
}

/** A verifier that has never fetched: what a resource server holds once its JWKS cache expired. */
const freshJwks = (instance: Instance) => createRemoteJWKSet(instance.jwksUrl);

const publishedKids = async (instance: Instance): Promise<string[]> => {
  const response = await fetch(instance.jwksUrl);
  const body = (await response.json()) as { keys: { kid: string }[] };
  return body.keys.map((key) => key.kid).sort();
};

beforeAll(() => {
  keysDir = mkdtempSync(join(tmpdir(), 'auth-keys-'));
});

afterAll(() => {
  rmSync(keysDir, { recursive: true, force: true });
});

describe('keys:generate', () => {
  const dirs: string[] = [];
  const outDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-keys-'));
    dirs.push(dir);
    return dir;
  };

  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('writes an RS256 pair named by the kid the service publishes, private key PKCS#8 with mode 0600', async () => {
    const dir = outDir();
    const key = await generateKey('RS256', dir);

    expect(readdirSync(dir).sort()).toEqual([`${key.kid}.key.pem`, `${key.kid}.pub.pem`]);
    expect(key.privateKeyPath).toBe(join(dir, `${key.kid}.key.pem`));
    expect(statSync(key.privateKeyPath).mode & 0o777).toBe(0o600);
    expect(readFileSync(key.privateKeyPath, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(readFileSync(key.publicKeyPath, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(key.env.JWT_ALGORITHM).toBe('RS256');

    // The printed lines, as they are, configure a service that publishes and signs with that kid.
    const db = await TestDatabase.create();
    const instance = await startInstance(db, key.env);
    try {
      await expect(publishedKids(instance)).resolves.toEqual([key.kid]);
      const user = await registerUser(instance.t);
      await expect(verifyOutside(user.accessToken, freshJwks(instance))).resolves.toEqual({ sub: user.user.id, kid: key.kid });
    } finally {
      await instance.t.close();
      await db.drop();
    }
  }, 60_000);

  it.each([
    ['an unknown algorithm', ['--alg', 'HS512'], /unknown algorithm "HS512"; use --alg ES256 or --alg RS256/],
    ['HS256, which uses secrets', ['--alg', 'HS256'], /HS256 signs with shared secrets \(JWT_ACCESS_SECRET, JWT_REFRESH_SECRET\)/],
    ['EdDSA, which is not offered', ['--alg', 'EdDSA'], /EdDSA is not offered/],
    ['no --alg', [], /--alg is required/],
    ['an unknown option', ['--alg', 'ES256', '--bits', '4096'], /Unknown option '--bits'/],
  ])('refuses %s with exit code 2 and the usage, writing nothing', async (_case, args, message) => {
    const dir = outDir();

    const result = await runCli(['keys:generate', ...args, '--out', join(dir, 'keys')]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('Usage: npm run cli -- keys:generate --alg ES256|RS256 [--out DIR]');
    expect(result.stdout).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  }, 30_000);
});

describe('rotating the access-token key across two instances (README procedure)', () => {
  let db: TestDatabase;
  const instances: Instance[] = [];

  /** Restarts one instance with new key variables: a rolling deployment, one pod at a time. */
  async function roll(index: number, env: Record<string, string>): Promise<Instance> {
    await instances[index]?.t.close();
    instances[index] = await startInstance(db, { JWT_ALGORITHM: 'ES256', ...env });
    return instances[index];
  }

  beforeAll(async () => {
    db = await TestDatabase.create();
  }, 30_000);

  afterAll(async () => {
    for (const instance of instances) await instance?.t.close();
    await db?.drop();
  }, 30_000);

  it('publish, wait for caches, switch, retire: tokens verify from outside at every step', async () => {
    // Before: both instances sign with key A.
    const keyA = await generateKey('ES256');
    const [one, two] = [await roll(0, { JWT_PRIVATE_KEYS: keyA.privateKeyPath }), await roll(1, { JWT_PRIVATE_KEYS: keyA.privateKeyPath })];
    const user = await registerUser(one.t);
    const tokenA = user.accessToken;
    await expect(verifyOutside(tokenA, freshJwks(two))).resolves.toEqual({ sub: user.user.id, kid: keyA.kid });

    // The wait of step 3 is the JWKS response's max-age, and the README names that figure.
    const jwksResponse = await fetch(one.jwksUrl);
    const maxAge = Number(/max-age=(\d+)/.exec(jwksResponse.headers.get('cache-control') ?? '')?.[1]);
    expect(maxAge).toBe(300);
    expect(PROCEDURE).toContain(`max-age=${maxAge}`);
    // A resource server that fetched the JWKS now and honours that max-age.
    const cachedBeforePublish = createRemoteJWKSet(one.jwksUrl, { cacheMaxAge: maxAge * 1000, cooldownDuration: maxAge * 1000 });
    await expect(verifyOutside(tokenA, cachedBeforePublish)).resolves.toMatchObject({ kid: keyA.kid });

    // Step 1: generate key B. Step 2: publish it on every instance; A still signs.
    const keyB = await generateKey('ES256');
    expect(keyB.kid).not.toBe(keyA.kid);
    const publish = { JWT_PRIVATE_KEYS: keyA.privateKeyPath, JWT_PUBLIC_KEYS: keyB.publicKeyPath };
    for (const index of [0, 1]) {
      const instance = await roll(index, publish);
      await expect(publishedKids(instance)).resolves.toEqual([keyA.kid, keyB.kid].sort());
      await expect(verifyOutside(tokenA, freshJwks(instance))).resolves.toMatchObject({ kid: keyA.kid });
    }
    const stillA = await login(instances[1].t, user.user.email, user.password);
    await expect(verifyOutside(stillA.accessToken, freshJwks(instances[0]))).resolves.toMatchObject({ kid: keyA.kid });

    // Step 4: switch signing, B first, one instance at a time. The first one rolled already signs
    // with B while the other still runs the step-2 configuration: B is published there too.
    const sign = { JWT_PRIVATE_KEYS: `${keyB.privateKeyPath};${keyA.privateKeyPath}` };
    await roll(0, sign);
    const tokenB = (await login(instances[0].t, user.user.email, user.password)).accessToken;
    for (const instance of instances) {
      await expect(verifyOutside(tokenB, freshJwks(instance))).resolves.toEqual({ sub: user.user.id, kid: keyB.kid });
    }
    // What skipping the wait breaks: a cache filled before B was published refuses B's tokens
    // until its max-age runs out (jose does not refetch within the cooldown).
    await expect(verifyOutside(tokenB, cachedBeforePublish)).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
    await roll(1, sign);
    for (const instance of instances) {
      await expect(publishedKids(instance)).resolves.toEqual([keyA.kid, keyB.kid].sort());
      await expect(verifyOutside(tokenA, freshJwks(instance))).resolves.toMatchObject({ kid: keyA.kid });
      await expect(verifyOutside(tokenB, freshJwks(instance))).resolves.toMatchObject({ kid: keyB.kid });
    }
    const afterSwitch = await login(instances[1].t, user.user.email, user.password);
    expect((await verifyOutside(afterSwitch.accessToken, freshJwks(instances[0]))).kid).toBe(keyB.kid);

    // Step 5: after the access-token lifetime plus clock tolerance, retire A everywhere.
    for (const index of [0, 1]) await roll(index, { JWT_PRIVATE_KEYS: keyB.privateKeyPath });
    for (const instance of instances) {
      await expect(publishedKids(instance)).resolves.toEqual([keyB.kid]);
      await expect(verifyOutside(tokenA, freshJwks(instance))).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
      await expect(verifyOutside(tokenB, freshJwks(instance))).resolves.toMatchObject({ kid: keyB.kid });
    }
    // The service itself refuses A's tokens too, and keeps accepting B's.
    expectProblem(await request(instances[1].t.server).get('/api/v1/users/me').set(bearer(tokenA)), 401, 'token_invalid');
    await request(instances[1].t.server).get('/api/v1/users/me').set(bearer(tokenB)).expect(200);
  }, 300_000); // eight app boots and two CLI runs, on a machine that may be busy
});
