import { createHmac, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** Forging and re-signing tokens, for the tests of what the verifiers refuse. */
export type Claims = Record<string, unknown>;
export type Signer = (input: Buffer) => Buffer;

export const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A compact JWS with exactly this header and payload, signed by `signer` (empty signature when none). */
export function compactJws(header: Claims, payload: Claims, signer?: Signer): string {
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${signer ? signer(Buffer.from(input)).toString('base64url') : ''}`;
}

export const hmac =
  (secret: string | Buffer, hash: 'sha256' | 'sha512' = 'sha256'): Signer =>
  (input) =>
    createHmac(hash, secret).update(input).digest();
export const es256 =
  (key: KeyObject): Signer =>
  (input) =>
    sign('sha256', input, { key, dsaEncoding: 'ieee-p1363' });

/** Signs a compact JWS with HMAC, header and payload exactly as given. */
export const signJwt = (header: Claims, payload: Claims, secret: string, hash: 'sha256' | 'sha512' = 'sha256') =>
  compactJws(header, payload, hmac(secret, hash));

export const withoutKeys = (claims: Claims, ...keys: string[]): Claims =>
  Object.fromEntries(Object.entries(claims).filter(([key]) => !keys.includes(key)));

/** The same token with its last signature character changed. */
export function tamperSignature(token: string): string {
  const [h, p, s] = token.split('.');
  return `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;
}
