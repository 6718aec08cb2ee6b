import { afterAll, describe, expect, it } from '@jest/globals';
import type { JsonWebKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { claimsOf, headerOf, refreshWith, registerUser } from './factories/auth.factory.js';
import { b64url, compactJws, es256, hmac } from './factories/jwt.factory.js';
import { expectTokenInvalid, jwksOf, keyPair, me, thumbprint, verifiesWithJwk } from './factories/keys.factory.js';
import { BOOT_TIMEOUT_MS, createTestApp, TEST_SECRETS, useTestApp, type TestApp } from './setup/create-test-app.js';

describe('GET /.well-known/jwks.json', () => {
  const t = useTestApp();

  it('publishes no keys with HS256', async () => {
    const response = await request(t.server).get('/.well-known/jwks.json');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toEqual({ keys: [] });
  });
});

describe('asymmetric access-token keys', () => {
  describe('ES256', () => {
    const key = keyPair('P-256');
    const t = useTestApp({ env: { JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: key.privatePem, JWT_REFRESH_SECRET: TEST_SECRETS.JWT_REFRESH_SECRET } });

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
      expect(hmac(TEST_SECRETS.JWT_REFRESH_SECRET)(Buffer.from(`${header}.${payload}`)).toString('base64url')).toBe(signature);

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
      ['HS256 with the JWT_ACCESS_SECRET an HS256 deployment would use', 'HS256', () => hmac(TEST_SECRETS.JWT_ACCESS_SECRET)],
      ['HS256 with the access secret in the running config', 'HS256', (app: TestApp) => hmac(app.config.jwt.accessSecret)],
      ['HS256 with the public key PEM as HMAC secret (key confusion)', 'HS256', () =>
        hmac(key.publicKey.export({ type: 'spki', format: 'pem' }) as string)],
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
    const t = useTestApp({ env: { JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY: key.privatePem, JWT_REFRESH_SECRET: TEST_SECRETS.JWT_REFRESH_SECRET } });

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
        hmac(key.publicKey.export({ type: 'spki', format: 'pem' }) as string),
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
    }, BOOT_TIMEOUT_MS);
  });
});
