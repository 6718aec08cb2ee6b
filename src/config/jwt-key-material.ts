import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { JwtAlgorithm } from './config.types.js';
import type { EnvReader } from './env-reader.js';

type AsymmetricAlgorithm = Exclude<JwtAlgorithm, 'HS256'>;

const KEY_TYPE: Record<AsymmetricAlgorithm, string> = { ES256: 'ec', RS256: 'rsa' };

/**
 * The keys of JWT_PRIVATE_KEY(S) and JWT_PUBLIC_KEYS, read and checked at validation so a bad one
 * stops start-up with a problem naming its variable. No problem ever quotes the value: it may be
 * key material (even one that was taken for a path).
 */
export function readJwtKeys(
  env: EnvReader,
  algorithm: AsymmetricAlgorithm,
  privateVariable: string,
): { privateKeys: KeyObject[]; publicKeys: KeyObject[] } {
  const read = (variable: string, kind: 'private' | 'public') => {
    const entries = env.list(variable).map(unquote).filter(Boolean);
    return entries.flatMap((value, index) => {
      const name = entries.length > 1 ? `${variable} (entry ${index + 1})` : variable;
      const key = readKey(value, kind, name, env);
      return key && checkKey(key, algorithm, name, env) ? [key] : [];
    });
  };
  return { privateKeys: read(privateVariable, 'private'), publicKeys: read('JWT_PUBLIC_KEYS', 'public') };
}

/** `docker --env-file` and some shells pass the quotes around a value through. */
function unquote(value: string): string {
  const quoted = /^(["'])([\s\S]*)\1$/.exec(value);
  return (quoted ? quoted[2] : value).trim();
}

/** API.md: a value starting with `-----BEGIN` or `{` is the key itself, anything else a file path. */
function readKey(value: string, kind: 'private' | 'public', name: string, env: EnvReader): KeyObject | undefined {
  const inline = value.startsWith('-----BEGIN') || value.startsWith('{');
  let material: string;
  if (inline) {
    material = value.replaceAll('\\n', '\n');
  } else {
    try {
      material = readFileSync(value, 'utf8').trim();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      env.problem(`${name}: cannot read the key file it names (${code}); a key given inline must start with -----BEGIN (PEM) or { (JWK)`);
      return undefined;
    }
  }
  try {
    const input = material.startsWith('{')
      ? { key: JSON.parse(material) as JsonWebKey, format: 'jwk' as const }
      : { key: material, format: 'pem' as const };
    return kind === 'private' ? createPrivateKey(input) : createPublicKey(input);
  } catch {
    const where = inline ? 'the value' : 'the file it names';
    env.problem(`${name}: ${where} is not a readable ${kind} key (PEM or JWK)`);
    return undefined;
  }
}

/** A key that cannot sign or verify this algorithm (RFC 7518 §3): refused at start-up, not on every token. */
function checkKey(key: KeyObject, algorithm: AsymmetricAlgorithm, name: string, env: EnvReader): boolean {
  const type = key.asymmetricKeyType;
  const { namedCurve, modulusLength = 0 } = key.asymmetricKeyDetails ?? {};
  if (type !== KEY_TYPE[algorithm]) {
    env.problem(`${name}: JWT key type ${type} does not match JWT_ALGORITHM=${algorithm}`);
  } else if (algorithm === 'ES256' && namedCurve !== 'prime256v1') {
    env.problem(`${name}: JWT key on curve ${namedCurve} does not match JWT_ALGORITHM=ES256 (P-256 required)`);
  } else if (algorithm === 'RS256' && modulusLength < 2048) {
    env.problem(`${name}: JWT RSA key of ${modulusLength} bits is too short for JWT_ALGORITHM=RS256 (at least 2048)`);
  } else {
    return true;
  }
  return false;
}
