import { randomBytes } from 'node:crypto';
import type { JwtAlgorithm, JwtConfig } from './config.types.js';
import type { EnvReader } from './env-reader.js';
import { readJwtKeys } from './jwt-key-material.js';

/**
 * Secrets that appear in `.env.example`. Production refuses them so a copied example never
 * reaches a real deployment (a unit spec keeps this list in step with the file).
 */
export const EXAMPLE_SECRETS: readonly string[] = [
  'change-me-access-secret-at-least-32-bytes-long',
  'change-me-refresh-secret-at-least-32-bytes-long',
];

const MIN_SECRET_BYTES = 32;
const ALGORITHMS: readonly JwtAlgorithm[] = ['HS256', 'ES256', 'RS256'];
const MAX_CLOCK_TOLERANCE_SECONDS = 300;

export function jwtConfig(env: EnvReader, production: boolean): JwtConfig {
  const algorithm = readAlgorithm(env);
  const secret = (name: string) => readSecret(env, name, production);
  // Refresh tokens are always HMAC-signed: only this service ever verifies them.
  const refreshSecret = secret('JWT_REFRESH_SECRET');
  const accessSecret = algorithm === 'HS256' ? secret('JWT_ACCESS_SECRET') : undefined;
  const privateVariable = env.string('JWT_PRIVATE_KEYS') ? 'JWT_PRIVATE_KEYS' : 'JWT_PRIVATE_KEY';
  const keys = algorithm === 'HS256' ? { privateKeys: [], publicKeys: [] } : readJwtKeys(env, algorithm, privateVariable);
  if (algorithm !== 'HS256' && env.list(privateVariable).length === 0) {
    env.problem(`JWT_PRIVATE_KEY is required with JWT_ALGORITHM=${algorithm}`);
  }
  if (accessSecret && refreshSecret && accessSecret.equals(refreshSecret)) {
    env.problem('JWT_ACCESS_SECRET and JWT_REFRESH_SECRET must differ');
  }
  const clockToleranceSeconds = env.duration('JWT_CLOCK_TOLERANCE', '5s', 0);
  if (clockToleranceSeconds > MAX_CLOCK_TOLERANCE_SECONDS) env.problem('JWT_CLOCK_TOLERANCE must be at most 5m');
  return {
    algorithm,
    accessSecret: accessSecret ?? randomBytes(48),
    refreshSecret: refreshSecret ?? randomBytes(48),
    ephemeralSecrets: !refreshSecret || (algorithm === 'HS256' && !accessSecret),
    ...keys,
    issuer: env.string('JWT_ISSUER') ?? 'auth-service',
    audience: env.string('JWT_AUDIENCE') ?? 'api',
    accessTtlSeconds: env.duration('ACCESS_TOKEN_TTL', '15m'),
    refreshTtlSeconds: env.duration('REFRESH_TOKEN_TTL', '7d'),
    clockToleranceSeconds,
  };
}

function readAlgorithm(env: EnvReader): JwtAlgorithm {
  if (env.string('JWT_ALGORITHM') !== 'EdDSA') return env.oneOf('JWT_ALGORITHM', ALGORITHMS, 'HS256');
  env.problem('JWT_ALGORITHM=EdDSA is not supported yet (jsonwebtoken, under passport-jwt, lacks it); use ES256 or RS256');
  return 'HS256';
}

/** The raw secret, never echoed in a problem; required in production, where the examples are refused. */
function readSecret(env: EnvReader, name: string, production: boolean): Buffer | undefined {
  const value = env.string(name);
  if (value === undefined) {
    if (production) env.problem(`${name} is required in production`);
    return undefined;
  }
  if (Buffer.byteLength(value) < MIN_SECRET_BYTES) {
    env.problem(`${name} must be at least ${MIN_SECRET_BYTES} bytes`);
  } else if (production && EXAMPLE_SECRETS.includes(value)) {
    env.problem(`${name} is the example value from .env.example; generate a real secret`);
  }
  return Buffer.from(value);
}
