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
      await t.close();
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
      await t.close();
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
      if (value.includes('\\n')) expect(value).not.toContain('\n');
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

  describe('rotation (instances on one database)', () => {
    const keyA = keyPair('P-256');
    const keyB = keyPair('P-256');
    const kidA = thumbprint(keyA.publicJwk);
    const kidB = thumbprint(keyB.publicJwk);
    let onlyA: TestApp;
    let bThenA: TestApp;
    let onlyB: TestApp;
    let aPlusPublicB: TestApp;

    beforeAll(async () => {
      onlyA = await createTestApp({ env: asymmetricEnv('ES256', keyA.privatePem) });
      bThenA = await createTestApp({ env: asymmetricEnv('ES256', keyB.privatePem, keyA.privatePem), db: onlyA.db });
      onlyB = await createTestApp({ env: asymmetricEnv('ES256', keyB.privatePem), db: onlyA.db });
      // The first rollout step: keep signing with A, already accept B (published as a JWK).
      aPlusPublicB = await createTestApp({
        env: { ...asymmetricEnv('ES256', keyA.privatePem), JWT_PUBLIC_KEYS: JSON.stringify(keyB.publicJwk) },
        db: onlyA.db,
      });
    });

    afterAll(async () => {
      for (const t of [aPlusPublicB, onlyB, bThenA]) await t?.close();
      await onlyA?.close();
    });

    it('the rotated instance signs with the new key B and publishes B then A', async () => {
      const user = await registerUser(bThenA);
      const jwks = await jwksOf(bThenA);

      expect(jwks.map((jwk) => jwk.kid)).toEqual([kidB, kidA]);
      expect(headerOf(user.accessToken)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: kidB });
      expect(verifiesWithJwk(user.accessToken, jwks[0])).toBe(true);
      expect(verifiesWithJwk(user.accessToken, jwks[1])).toBe(false);
      await me(bThenA, user.accessToken).expect(200);
      expect((await jwksOf(onlyA)).map((jwk) => jwk.kid)).toEqual([kidA]);
    });

    it('the rotated instance still accepts an access token minted with A by the old instance', async () => {
      const user = await registerUser(onlyA);
      expect(headerOf(user.accessToken).kid).toBe(kidA);

      const response = await me(bThenA, user.accessToken).expect(200);

      expect(response.body.id).toBe(user.user.id);
    });

    it('a refresh token from the old instance is honoured by the rotated one, which answers with a B token', async () => {
      const user = await registerUser(onlyA);

      const refreshed = await refreshWith(bThenA, user.refreshToken).expect(200);

      expect(headerOf(refreshed.body.accessToken).kid).toBe(kidB);
      await me(bThenA, refreshed.body.accessToken).expect(200);
    });

    it('JWT_PUBLIC_KEYS lets an instance still signing with A accept B tokens before the switch', async () => {
      const fromB = await registerUser(bThenA);
      const jwks = await jwksOf(aPlusPublicB);
      const signedHere = await registerUser(aPlusPublicB);

      expect(jwks.map((jwk) => jwk.kid)).toEqual([kidA, kidB]);
      for (const jwk of jwks) expect(jwk).not.toHaveProperty('d');
      expect(headerOf(signedHere.accessToken).kid).toBe(kidA);
      await me(aPlusPublicB, fromB.accessToken).expect(200);
      expectTokenInvalid(await me(onlyA, fromB.accessToken));
    });

    it('an instance configured with only B refuses the token minted with A', async () => {
      const user = await registerUser(onlyA);
      const fromB = await registerUser(onlyB);

      expectTokenInvalid(await me(onlyB, user.accessToken));
      await me(onlyB, fromB.accessToken).expect(200);
      expect((await jwksOf(onlyB)).map((jwk) => jwk.kid)).toEqual([kidB]);
    });
  });

  describe('start-up refusals', () => {
    let db: TestDatabase;

    beforeAll(async () => {
      // Failed boots never reach close(): they share one database, dropped here.
      db = await TestDatabase.create();
    });

    afterAll(async () => {
      await db?.drop();
    });

    it.each(['ES256', 'RS256'])('JWT_ALGORITHM=%s without JWT_PRIVATE_KEY fails validation naming JWT_PRIVATE_KEY', async (algorithm) => {
      const attempt = () => validateEnv({ NODE_ENV: 'test', JWT_ALGORITHM: algorithm, ...TEST_SECRETS });

      expect(attempt).toThrow(EnvValidationError);
      expect(attempt).toThrow(`JWT_PRIVATE_KEY is required with JWT_ALGORITHM=${algorithm}`);
      await expect(createTestApp({ env: { JWT_ALGORITHM: algorithm }, db })).rejects.toThrow(/JWT_PRIVATE_KEY/);
    });

    it('JWT_ALGORITHM=EdDSA is refused at validation (jsonwebtoken lacks it)', async () => {
      const attempt = () =>
        validateEnv({ NODE_ENV: 'test', JWT_ALGORITHM: 'EdDSA', JWT_PRIVATE_KEY: keyPair('P-256').privatePem, ...TEST_SECRETS });

      expect(attempt).toThrow(EnvValidationError);
      expect(attempt).toThrow(/JWT_ALGORITHM=EdDSA is not supported/);
    });

    it.each([
      ['an RSA key with ES256', 'ES256', 'RSA-2048', /key type rsa does not match JWT_ALGORITHM=ES256/],
      ['an EC key with RS256', 'RS256', 'P-256', /key type ec does not match JWT_ALGORITHM=RS256/],
      ['a P-384 key with ES256 (ES256 is P-256 only)', 'ES256', 'P-384', /P-384|curve/],
      ['a 1024-bit RSA key with RS256', 'RS256', 'RSA-1024', /2048/],
    ] as const)('refuses to start with %s', async (_case, algorithm, type, message) => {
      const env = { JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY: keyPair(type).privatePem };

      await expect(createTestApp({ env, db })).rejects.toThrow(message);
    });

    it('refuses to start when a JWT_PUBLIC_KEYS entry does not fit the algorithm', async () => {
      const env = {
        JWT_ALGORITHM: 'ES256',
        JWT_PRIVATE_KEY: keyPair('P-256').privatePem,
        JWT_PUBLIC_KEYS: JSON.stringify(keyPair('RSA-2048').publicJwk),
      };

      await expect(createTestApp({ env, db })).rejects.toThrow(/key type rsa does not match JWT_ALGORITHM=ES256/);
    });
  });
});
