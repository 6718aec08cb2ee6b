import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { thumbprint } from '../auth/jwt-keys.js';
import { UsageError } from './usage-error.js';

export const KEYS_GENERATE_USAGE = `Usage: npm run cli -- keys:generate --alg ES256|RS256 [--out DIR]

Writes a new access-token key pair into DIR (default: keys/), named by its kid, the RFC 7638
thumbprint the service publishes at /.well-known/jwks.json: <kid>.key.pem (PKCS#8, mode 0600)
and <kid>.pub.pem (SPKI). Prints the environment lines that use it, never the private key.
Rotating keys: README, "Rotating signing keys".`;

type KeyAlgorithm = 'ES256' | 'RS256';

// P-256 and 2048-bit RSA: what the service accepts at the least, and what RS256 verifiers expect.
const GENERATORS: Record<KeyAlgorithm, () => { privateKey: KeyObject; publicKey: KeyObject }> = {
  ES256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
};

export interface GeneratedKeys {
  algorithm: KeyAlgorithm;
  kid: string;
  privateKeyPath: string;
  publicKeyPath: string;
}

function algorithmOf(value: string | undefined): KeyAlgorithm {
  if (value === 'ES256' || value === 'RS256') return value;
  if (value === undefined) throw new UsageError(`--alg is required.\n\n${KEYS_GENERATE_USAGE}`);
  const why =
    value === 'HS256'
      ? 'HS256 signs with shared secrets (JWT_ACCESS_SECRET, JWT_REFRESH_SECRET), not with a key pair'
      : value === 'EdDSA'
        ? 'EdDSA is not offered (jsonwebtoken, under passport-jwt, lacks it)'
        : `unknown algorithm "${value}"`;
  throw new UsageError(`keys:generate: ${why}; use --alg ES256 or --alg RS256.\n\n${KEYS_GENERATE_USAGE}`);
}

/** `keys:generate`: writes the pair and returns where; throws a UsageError on bad arguments. */
export function generateKeys(args: string[]): GeneratedKeys {
  let values: { alg?: string; out?: string };
  try {
    ({ values } = parseArgs({ args, options: { alg: { type: 'string' }, out: { type: 'string' } }, strict: true }));
  } catch (error) {
    throw new UsageError(`keys:generate: ${(error as Error).message}\n\n${KEYS_GENERATE_USAGE}`);
  }
  const algorithm = algorithmOf(values.alg);
  const { privateKey, publicKey } = GENERATORS[algorithm]();
  const kid = thumbprint(publicKey.export({ format: 'jwk' }));

  const dir = resolve(values.out ?? 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const privateKeyPath = join(dir, `${kid}.key.pem`);
  const publicKeyPath = join(dir, `${kid}.pub.pem`);
  // `wx`: never overwrite a key that may still be in use; a umask can only narrow 0600.
  writeFileSync(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  writeFileSync(publicKeyPath, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644, flag: 'wx' });
  return { algorithm, kid, privateKeyPath, publicKeyPath };
}

/** What the command prints: where the files are and the environment lines, never key material. */
export function describeKeys({ algorithm, kid, privateKeyPath, publicKeyPath }: GeneratedKeys): string {
  return `# ${algorithm} key pair, kid ${kid}
#   private key: ${privateKeyPath} (PKCS#8 PEM, mode 0600: keep it secret)
#   public key:  ${publicKeyPath} (SPKI PEM)
#
# A new deployment signs with it:
JWT_ALGORITHM=${algorithm}
JWT_PRIVATE_KEYS=${privateKeyPath}
#
# Rotating (README, "Rotating signing keys"): 1. publish it on every instance, beside the current
# keys (';'-separated), and wait for JWKS caches to expire:
JWT_PUBLIC_KEYS=${publicKeyPath}
# 2. then sign with it: its private key first, the current one after it until it is retired:
#   JWT_PRIVATE_KEYS=${privateKeyPath};<current private key>
`;
}
