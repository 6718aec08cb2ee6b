import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHash, createPublicKey, createSecretKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { AllConfig, JwtAlgorithm, JwtConfig } from '../config/config.types.js';

export interface AccessKeys {
  algorithm: JwtAlgorithm;
  signingKey: KeyObject;
  signingKid: string;
  /** Every key that verifies an access token, by `kid` (the signing key and older ones). */
  verificationKeys: Map<string, KeyObject>;
  /** Public keys as published at /.well-known/jwks.json (empty for HS256). */
  jwks: JsonWebKey[];
}

export interface RefreshKey {
  key: KeyObject;
  kid: string;
}

/**
 * The one place that knows the keys: what TokensService signs with, what the strategies verify
 * with and what /.well-known/jwks.json publishes. Secrets are KeyObjects, never strings: a string
 * key is re-parsed (tried as PEM first) on every sign and verify.
 */
@Injectable()
export class JwtKeys {
  readonly access: AccessKeys;
  /** Refresh tokens are always HS256 with their own secret: only this service reads them. */
  readonly refresh: RefreshKey;

  constructor(config: ConfigService<AllConfig, true>) {
    const settings = config.get('jwt', { infer: true });
    this.access = loadAccessKeys(settings);
    this.refresh = {
      key: createSecretKey(settings.refreshSecret),
      kid: createHash('sha256').update('refresh:').update(settings.refreshSecret).digest('base64url').slice(0, 16),
    };
  }
}

/**
 * The encoded protected header of a token signed with `kid`: members in jsonwebtoken's order, so
 * refresh tokens stay byte for byte those of earlier releases. TokensService signs with it;
 * TokenVerifier recognises it without decoding.
 */
export function encodedHeader(alg: JwtAlgorithm, typ: string, kid: string): string {
  return Buffer.from(JSON.stringify({ alg, typ, kid })).toString('base64url');
}

/**
 * RFC 7638 thumbprint of a public key: a stable `kid` that needs no configuration. Also names the
 * files `keys:generate` writes, so a file and the JWKS entry it produces share one id.
 */
export function thumbprint(jwk: JsonWebKey): string {
  const members =
    jwk.kty === 'EC'
      ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
      : jwk.kty === 'OKP'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
        : { e: jwk.e, kty: jwk.kty, n: jwk.n };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/**
 * Access-token keys for the configured algorithm. HS256 uses JWT_ACCESS_SECRET; asymmetric
 * algorithms sign with the first JWT_PRIVATE_KEY(S) entry and verify with the public halves of
 * all of them plus JWT_PUBLIC_KEYS, so a new key can be introduced while old tokens still verify.
 */
export function loadAccessKeys(settings: JwtConfig): AccessKeys {
  const { algorithm } = settings;
  if (algorithm === 'HS256') {
    const key = createSecretKey(settings.accessSecret);
    const kid = createHash('sha256').update('access:').update(settings.accessSecret).digest('base64url').slice(0, 16);
    return { algorithm, signingKey: key, signingKid: kid, verificationKeys: new Map([[kid, key]]), jwks: [] };
  }
  const [signingKey] = settings.privateKeys;
  const publicKeys = [...settings.privateKeys.map((key) => createPublicKey(key)), ...settings.publicKeys];
  const verificationKeys = new Map<string, KeyObject>();
  const jwks: JsonWebKey[] = [];
  // Read and checked against the algorithm at validation (config/jwt-key-material.ts).
  for (const key of publicKeys) {
    const jwk = key.export({ format: 'jwk' });
    const kid = thumbprint(jwk);
    if (verificationKeys.has(kid)) continue;
    verificationKeys.set(kid, key);
    jwks.push({ ...jwk, kid, alg: algorithm, use: 'sig' } as JsonWebKey);
  }
  const signingKid = thumbprint(createPublicKey(signingKey).export({ format: 'jwk' }));
  return { algorithm, signingKey, signingKid, verificationKeys, jwks };
}
