import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createHash,
  createHmac,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { EnvValidationError, validateEnv } from '../src/config/env.validation.js';
import { bearer, claimsOf, refreshWith, registerUser } from './factories/auth.factory.js';
import { createTestApp, TEST_SECRETS, type TestApp } from './setup/create-test-app.js';
import { TestDatabase } from './setup/database.js';

type Json = Record<string, unknown>;

interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM of the private key, as an operator would put it in JWT_PRIVATE_KEY. */
  privatePem: string;
  publicJwk: JsonWebKey;
}

function keyPair(type: 'P-256' | 'P-384' | 'RSA-2048' | 'RSA-1024'): KeyPair {
  const { privateKey, publicKey } = type.startsWith('P-')
    ? generateKeyPairSync('ec', { namedCurve: type })
    : generateKeyPairSync('rsa', { modulusLength: Number(type.slice(4)) });
  return {
    privateKey,
    publicKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicJwk: publicKey.export({ format: 'jwk' }),
  };
}

/** RFC 7638 thumbprint, written out member by member (required members, lexicographic order, no spaces). */
function thumbprint(jwk: JsonWebKey): string {
  const canonical =
    jwk.kty === 'EC'
      ? `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`
      : `{"e":"${jwk.e}","kty":"RSA","n":"${jwk.n}"}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

const headerOf = (token: string): Json => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));

const b64url = (value: Json) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS with exactly this header and payload, signed by `signer` (empty signature when none). */
function compactJws(header: Json, payload: Json, signer?: (input: Buffer) => Buffer): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${signer ? signer(Buffer.from(input)).toString('base64url') : ''}`;
}

const es256 = (key: KeyObject) => (input: Buffer) => sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' });
const hs256 = (secret: string | Buffer) => (input: Buffer) => createHmac('sha256', secret).update(input).digest();

/** Verifies a compact JWS with a key taken from a published JWK, with node:crypto alone. */
function verifiesWithJwk(token: string, jwk: JsonWebKey): boolean {
  const [header, payload, signature] = token.split('.');
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const input = Buffer.from(`${header}.${payload}`);
  return jwk.kty === 'EC'
    ? verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))
    : verify('sha256', input, key, Buffer.from(signature, 'base64url'));
}

const jwksOf = async (t: TestApp): Promise<JsonWebKey[]> => {
  const response = await request(t.server).get('/.well-known/jwks.json').expect(200);
  return response.body.keys;
};

const me = (t: TestApp, accessToken: string) => request(t.server).get('/api/v1/users/me').set(bearer(accessToken));

const expectTokenInvalid = (response: request.Response) => {
  expect({ status: response.status, code: response.body.code }).toEqual({ status: 401, code: 'token_invalid' });
  expect(response.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
};

/** Env for an asymmetric algorithm: the first key signs, the rest still verify. */
const asymmetricEnv = (algorithm: 'ES256' | 'RS256', ...privateKeys: string[]): Record<string, string> => ({
  JWT_ALGORITHM: algorithm,
  JWT_PRIVATE_KEYS: privateKeys.join(';'),
  JWT_REFRESH_SECRET: TEST_SECRETS.JWT_REFRESH_SECRET,
});

describe('asymmetric access-token keys', () => {
  describe('ES256', () => {
    const key = keyPair('P-256');
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({
        env: { JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: key.privatePem, JWT_REFRESH_SECRET: TEST_SECRETS.JWT_REFRESH_SECRET },
      });
    });

    afterAll(async () => {
      await t?.close();
    });

    it('publishes exactly the one public key, with an RFC 7638 kid and no private member', async () => {
      const response = await request(t.server).get('/.well-known/jwks.json').expect(200);

      expect(response.body).toEqual({
        keys: [
          {
            kty: 'EC',
            crv: 'P-256',
            x: key.publicJwk.x,
            y: key.publicJwk.y,
            kid: thumbprint(key.publicJwk),
            alg: 'ES256',
            use: 'sig',
          },
        ],
      });
      expect(response.body.keys[0]).not.toHaveProperty('d');
      expect(response.headers['cache-control']).toBe('public, max-age=300');
    });

    it('signs access tokens ES256 (typ at+jwt, kid of the published key) that verify with the published JWK', async () => {
      const user = await registerUser(t);
      const [jwk] = await jwksOf(t);

      expect(headerOf(user.accessToken)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: jwk.kid });
      expect(claimsOf(user.accessToken)).toMatchObject({ iss: 'auth-service', aud: 'api', sub: user.user.id, roles: ['user'] });
      expect(verifiesWithJwk(user.accessToken, jwk)).toBe(true);
      const [header, , signature] = user.accessToken.split('.');
      const tampered = `${header}.${b64url({ ...claimsOf(user.accessToken), roles: ['admin'] })}.${signature}`;
      expect(verifiesWithJwk(tampered, jwk)).toBe(false);

      const response = await me(t, user.accessToken).expect(200);
      expect(response.body).toMatchObject({ id: user.user.id, email: user.user.email });
    });

    it('keeps the refresh token HS256 rt+jwt with its own secret, and refresh issues a new ES256 access token', async () => {
      const user = await registerUser(t);
      const [jwk] = await jwksOf(t);

      const refreshHeader = headerOf(user.refreshToken);
      expect(refreshHeader).toMatchObject({ alg: 'HS256', typ: 'rt+jwt' });
      expect(refreshHeader.kid).not.toBe(jwk.kid);
      const [header, payload, signature] = user.refreshToken.split('.');
      expect(hs256(TEST_SECRETS.JWT_REFRESH_SECRET)(Buffer.from(`${header}.${payload}`)).toString('base64url')).toBe(signature);

      const refreshed = await refreshWith(t, user.refreshToken).expect(200);

      expect(headerOf(refreshed.body.accessToken)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: jwk.kid });
      expect(headerOf(refreshed.body.refreshToken)).toMatchObject({ alg: 'HS256', typ: 'rt+jwt' });
      expect(verifiesWithJwk(refreshed.body.accessToken, jwk)).toBe(true);
      await me(t, refreshed.body.accessToken).expect(200);
    });

    it('accepts a token re-signed with the configured key (control for the forgeries below)', async () => {
      const user = await registerUser(t);

      const resigned = compactJws(headerOf(user.accessToken), claimsOf(user.accessToken), es256(key.privateKey));

      await me(t, resigned).expect(200);
    });

    it.each([
      ['HS256 with the JWT_ACCESS_SECRET an HS256 deployment would use', 'HS256', () => hs256(TEST_SECRETS.JWT_ACCESS_SECRET)],
      ['HS256 with the access secret in the running config', 'HS256', (app: TestApp) => hs256(app.config.jwt.accessSecret)],
      ['HS256 with the public key PEM as HMAC secret (key confusion)', 'HS256', () =>
        hs256(key.publicKey.export({ type: 'spki', format: 'pem' }) as string)],
      ['ES256 with another P-256 key under the same kid', 'ES256', () => es256(keyPair('P-256').privateKey)],
      ['alg none, no signature', 'none', () => undefined],
    ] as const)('refuses an access token forged as %s (401 token_invalid)', async (_case, alg, signer) => {
      const user = await registerUser(t);
      const forged = compactJws({ ...headerOf(user.accessToken), alg }, claimsOf(user.accessToken), signer(t));

      expectTokenInvalid(await me(t, forged));
    });

    it('refuses a token that carries its own key in the header (jwk), even with that key signing', async () => {
      const user = await registerUser(t);
      const attacker = keyPair('P-256');

      const forged = compactJws(
        { ...headerOf(user.accessToken), jwk: attacker.publicJwk },
        claimsOf(user.accessToken),
        es256(attacker.privateKey),
      );

      expectTokenInvalid(await me(t, forged));
    });
  });

  describe('RS256', () => {
    const key = keyPair('RSA-2048');
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({
        env: { JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY: key.privatePem, JWT_REFRESH_SECRET: TEST_SECRETS.JWT_REFRESH_SECRET },
      });
    });

    afterAll(async () => {
      await t?.close();
    });

    it('publishes the RSA public key (n, e) and signs verifiable RS256 access tokens', async () => {
      const response = await request(t.server).get('/.well-known/jwks.json').expect(200);
      const kid = thumbprint(key.publicJwk);
      expect(response.body).toEqual({
        keys: [{ kty: 'RSA', n: key.publicJwk.n, e: key.publicJwk.e, kid, alg: 'RS256', use: 'sig' }],
      });
      const [jwk] = response.body.keys as JsonWebKey[];
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwk).not.toHaveProperty(member);

      const user = await registerUser(t);

      expect(headerOf(user.accessToken)).toEqual({ alg: 'RS256', typ: 'at+jwt', kid });
      expect(verifiesWithJwk(user.accessToken, jwk)).toBe(true);
      await me(t, user.accessToken).expect(200);
      expect(headerOf(user.refreshToken)).toMatchObject({ alg: 'HS256', typ: 'rt+jwt' });
      const refreshed = await refreshWith(t, user.refreshToken).expect(200);
      expect(headerOf(refreshed.body.accessToken)).toEqual({ alg: 'RS256', typ: 'at+jwt', kid });
      await me(t, refreshed.body.accessToken).expect(200);
    });

    it('refuses an HS256 token keyed with the RSA public key PEM (key confusion)', async () => {
      const user = await registerUser(t);

      const forged = compactJws(
        { ...headerOf(user.accessToken), alg: 'HS256' },
        claimsOf(user.accessToken),
        hs256(key.publicKey.export({ type: 'spki', format: 'pem' }) as string),
      );

      expectTokenInvalid(await me(t, forged));
    });
  });

  describe('where the key comes from', () => {
    const key = keyPair('P-256');
    const dir = mkdtempSync(join(tmpdir(), 'auth-keys-'));
    const keyFile = join(dir, 'access-key.pem');
    writeFileSync(keyFile, key.privatePem, { mode: 0o600 });

    afterAll(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it.each([
      ['a path to a PEM file', keyFile],
      ['inline PEM on one line with literal \\n escapes', key.privatePem.trim().replaceAll('\n', '\\n')],
      ['inline JWK JSON', JSON.stringify(key.privateKey.export({ format: 'jwk' }))],
    ])('JWT_PRIVATE_KEY as %s signs tokens the app and the JWKS agree on', async (_case, value) => {
      const t = await createTestApp({ env: { JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: value } });
      try {
        const user = await registerUser(t);
        const jwks = await jwksOf(t);

        expect(jwks).toHaveLength(1);
        expect(jwks[0]).toMatchObject({ kid: thumbprint(key.publicJwk), x: key.publicJwk.x, y: key.publicJwk.y });
        expect(jwks[0]).not.toHaveProperty('d');
        expect(headerOf(user.accessToken)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: thumbprint(key.publicJwk) });
        expect(verifiesWithJwk(user.accessToken, key.publicJwk)).toBe(true);
        await me(t, user.accessToken).expect(200);
      } finally {
        await t.close();
      }
    });
  });

  /*
   * @nestjs/passport registers every strategy on the process-wide `passport` singleton by name, so
   * when several apps live in one jest process, the access token is checked by the 'jwt' strategy
   * of the app built LAST, whichever app receives the request. Each verifying instance below is
   * therefore built just before it is asked, and asserts both what it accepts and what it refuses.
   * (Minting is unaffected: registration is public and TokensService belongs to its own app.)
   */
  describe('rotation (instances on one database)', () => {
    const keyA = keyPair('P-256');
    const keyB = keyPair('P-256');
    const kidA = thumbprint(keyA.publicJwk);
    const kidB = thumbprint(keyB.publicJwk);
    let first: TestApp;

    /** Boots another instance on the first one's database, runs `work` against it, and closes it. */
    const withInstance = async <T>(env: Record<string, string>, work: (t: TestApp) => Promise<T>): Promise<T> => {
      const t = await createTestApp({ env, db: first.db });
      try {
        return await work(t);
      } finally {
        await t.close();
      }
    };

    beforeAll(async () => {
      first = await createTestApp({ env: asymmetricEnv('ES256', keyA.privatePem) });
    });

    afterAll(async () => {
      await first?.close();
    });

    it('instance 1 signs with key A and publishes only A', async () => {
      const user = await registerUser(first);

      expect(headerOf(user.accessToken)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: kidA });
      expect((await jwksOf(first)).map((jwk) => jwk.kid)).toEqual([kidA]);
    });

    it('instance 2 with JWT_PRIVATE_KEYS=B;A signs with B, publishes B and A, and still accepts A tokens from instance 1', async () => {
      const fromA = await registerUser(first);

      await withInstance(asymmetricEnv('ES256', keyB.privatePem, keyA.privatePem), async (second) => {
        const fromB = await registerUser(second);
        const jwks = await jwksOf(second);

        expect(jwks.map((jwk) => jwk.kid)).toEqual([kidB, kidA]);
        for (const jwk of jwks) expect(jwk).not.toHaveProperty('d');
        expect(headerOf(fromB.accessToken)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: kidB });
        expect(verifiesWithJwk(fromB.accessToken, jwks[0])).toBe(true);
        expect(verifiesWithJwk(fromB.accessToken, jwks[1])).toBe(false);
        await me(second, fromB.accessToken).expect(200);
        const response = await me(second, fromA.accessToken).expect(200);
        expect(response.body.id).toBe(fromA.user.id);
        // A key it has never been given is still refused.
        const stranger = keyPair('P-256');
        const forged = compactJws(
          { ...headerOf(fromA.accessToken), kid: thumbprint(stranger.publicJwk) },
          claimsOf(fromA.accessToken),
          es256(stranger.privateKey),
        );
        expectTokenInvalid(await me(second, forged));
      });
    });

    it('instance 2 honours a refresh token issued by instance 1 and answers with a B-signed access token', async () => {
      const fromA = await registerUser(first);

      await withInstance(asymmetricEnv('ES256', keyB.privatePem, keyA.privatePem), async (second) => {
        const refreshed = await refreshWith(second, fromA.refreshToken).expect(200);

        expect(headerOf(refreshed.body.accessToken)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: kidB });
        const response = await me(second, refreshed.body.accessToken).expect(200);
        expect(response.body.id).toBe(fromA.user.id);
      });
    });

    it('an instance configured with only B refuses the token minted with A', async () => {
      const fromA = await registerUser(first);

      await withInstance(asymmetricEnv('ES256', keyB.privatePem), async (onlyB) => {
        const fromB = await registerUser(onlyB);

        expect((await jwksOf(onlyB)).map((jwk) => jwk.kid)).toEqual([kidB]);
        expectTokenInvalid(await me(onlyB, fromA.accessToken));
        await me(onlyB, fromB.accessToken).expect(200);
      });
    });

    it('JWT_PUBLIC_KEYS (a JWK) lets an instance still signing with A accept B tokens; without it A alone refuses them', async () => {
      const fromB = await withInstance(asymmetricEnv('ES256', keyB.privatePem, keyA.privatePem), (second) => registerUser(second));
      const publicB = { ...asymmetricEnv('ES256', keyA.privatePem), JWT_PUBLIC_KEYS: JSON.stringify(keyB.publicJwk) };

      await withInstance(publicB, async (t) => {
        const signedHere = await registerUser(t);

        expect((await jwksOf(t)).map((jwk) => jwk.kid)).toEqual([kidA, kidB]);
        expect(headerOf(signedHere.accessToken).kid).toBe(kidA);
        await me(t, fromB.accessToken).expect(200);
        await me(t, signedHere.accessToken).expect(200);
      });
      await withInstance(asymmetricEnv('ES256', keyA.privatePem), async (onlyA) => {
        expectTokenInvalid(await me(onlyA, fromB.accessToken));
      });
    });
  });

  describe('start-up refusals', () => {
    /** Refused boots share this migrated database (no migration races); it is dropped with it. */
    let host: TestApp;

    beforeAll(async () => {
      host = await createTestApp();
    });

    afterAll(async () => {
      await host?.close();
    });

    const backends = (db: TestDatabase) =>
      db.query<{ pid: number; state: string; query: string }>(
        `SELECT pid, state, query FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'auth-service' AND pid <> pg_backend_pid()`,
      );

    /**
     * Boots an app that should refuse to start and resolves to its error (undefined, after closing
     * it, if it started). A refused boot does not stop the TypeORM DataSource that was already
     * connecting: wait until it has finished (new connection idle after reading the migrations
     * table), so it never races the next boot or the final DROP DATABASE.
     */
    const refusedBoot = async (env: Record<string, string>): Promise<Error | undefined> => {
      const known = new Set((await backends(host.db)).map((row) => row.pid));
      let failure: Error | undefined;
      try {
        const started = await createTestApp({ env, db: host.db });
        await started.close();
        return undefined;
      } catch (error) {
        failure = error as Error;
      }
      // Refused by validateEnv: nothing was started.
      if (failure instanceof EnvValidationError) return failure;
      const deadline = Date.now() + 10_000;
      for (;;) {
        const fresh = (await backends(host.db)).filter((row) => !known.has(row.pid));
        if (fresh.length > 0 && fresh.every((row) => row.state === 'idle' && row.query.includes('"migrations"'))) break;
        if (Date.now() > deadline) throw new Error(`refused boot did not settle: ${JSON.stringify(fresh)}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return failure;
    };

    it.each(['ES256', 'RS256'])('JWT_ALGORITHM=%s without JWT_PRIVATE_KEY fails validation naming JWT_PRIVATE_KEY', async (algorithm) => {
      const attempt = () => validateEnv({ NODE_ENV: 'test', JWT_ALGORITHM: algorithm, ...TEST_SECRETS });

      expect(attempt).toThrow(EnvValidationError);
      expect(attempt).toThrow(`JWT_PRIVATE_KEY is required with JWT_ALGORITHM=${algorithm}`);
      // Validation runs before anything connects, so this refusal leaves nothing behind.
      await expect(createTestApp({ env: { JWT_ALGORITHM: algorithm }, db: host.db })).rejects.toThrow(/JWT_PRIVATE_KEY/);
    });

    it('JWT_ALGORITHM=EdDSA is refused at validation (jsonwebtoken lacks it)', () => {
      const attempt = () =>
        validateEnv({ NODE_ENV: 'test', JWT_ALGORITHM: 'EdDSA', JWT_PRIVATE_KEY: keyPair('P-256').privatePem, ...TEST_SECRETS });

      expect(attempt).toThrow(EnvValidationError);
      expect(attempt).toThrow(/JWT_ALGORITHM=EdDSA is not supported/);
    });

    it.each([
      ['an RSA key with ES256', 'ES256', 'RSA-2048', /JWT key type rsa does not match JWT_ALGORITHM=ES256/],
      ['an EC key with RS256', 'RS256', 'P-256', /JWT key type ec does not match JWT_ALGORITHM=RS256/],
      ['a P-384 EC key with ES256 (P-256 only)', 'ES256', 'P-384', /curve secp384r1 does not match JWT_ALGORITHM=ES256/],
      ['a 1024-bit RSA key with RS256', 'RS256', 'RSA-1024', /1024 bits is too short for JWT_ALGORITHM=RS256/],
    ] as const)('refuses to start with %s as JWT_PRIVATE_KEY', async (_case, algorithm, type, message) => {
      const failure = await refusedBoot({ JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY: keyPair(type).privatePem });

      expect(failure?.message).toMatch(message);
    });

    it.each([
      ['an RSA JWK', () => JSON.stringify(keyPair('RSA-2048').publicJwk), /JWT key type rsa does not match JWT_ALGORITHM=ES256/],
      ['a P-384 PEM', () => keyPair('P-384').publicKey.export({ type: 'spki', format: 'pem' }) as string, /curve secp384r1/],
    ])('refuses to start with %s among the ES256 JWT_PUBLIC_KEYS', async (_case, publicKey, message) => {
      const failure = await refusedBoot({
        JWT_ALGORITHM: 'ES256',
        JWT_PRIVATE_KEY: keyPair('P-256').privatePem,
        JWT_PUBLIC_KEYS: publicKey(),
      });

      expect(failure?.message).toMatch(message);
    });
  });
});
