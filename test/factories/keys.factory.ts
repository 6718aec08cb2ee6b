import { expect } from '@jest/globals';
import { createHash, createPublicKey, generateKeyPairSync, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import request from 'supertest';
import type { TestApp } from '../setup/create-test-app.js';
import { TEST_SECRETS } from '../setup/create-test-app.js';
import { bearer, INVALID_TOKEN_CHALLENGE } from './auth.factory.js';

/** Key material and JWKS reads for the asymmetric-signing suites. */
export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM of the private key, as an operator would put it in JWT_PRIVATE_KEY. */
  privatePem: string;
  publicJwk: JsonWebKey;
}

export function keyPair(type: 'P-256' | 'P-384' | 'RSA-2048' | 'RSA-1024'): KeyPair {
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
export function thumbprint(jwk: JsonWebKey): string {
  const canonical =
    jwk.kty === 'EC'
      ? `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`
      : `{"e":"${jwk.e}","kty":"RSA","n":"${jwk.n}"}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

/** Verifies a compact JWS with a key taken from a published JWK, with node:crypto alone. */
export function verifiesWithJwk(token: string, jwk: JsonWebKey): boolean {
  const [header, payload, signature] = token.split('.');
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const input = Buffer.from(`${header}.${payload}`);
  return jwk.kty === 'EC'
    ? verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))
    : verify('sha256', input, key, Buffer.from(signature, 'base64url'));
}

export const jwksOf = async (t: TestApp): Promise<JsonWebKey[]> => {
  const response = await request(t.server).get('/.well-known/jwks.json').expect(200);
  return response.body.keys;
};

export const me = (t: TestApp, accessToken: string) => request(t.server).get('/api/v1/users/me').set(bearer(accessToken));

export const expectTokenInvalid = (response: request.Response) => {
  expect({ status: response.status, code: response.body.code }).toEqual({ status: 401, code: 'token_invalid' });
  expect(response.headers['www-authenticate']).toBe(INVALID_TOKEN_CHALLENGE);
};

/** Env for an asymmetric algorithm: the first key signs, the rest still verify. */
export const asymmetricEnv = (algorithm: 'ES256' | 'RS256', ...privateKeys: string[]): Record<string, string> => ({
  JWT_ALGORITHM: algorithm,
  JWT_PRIVATE_KEYS: privateKeys.join(';'),
  JWT_REFRESH_SECRET: TEST_SECRETS.JWT_REFRESH_SECRET,
});
