import type { RefreshTokenTransport, SessionConfig } from './config.types.js';
import type { EnvReader } from './env-reader.js';

const TRANSPORTS: readonly RefreshTokenTransport[] = ['body', 'cookie', 'both'];

export function sessionConfig(env: EnvReader): SessionConfig {
  const cookieSecure = env.bool('COOKIE_SECURE', true);
  const cookieSameSite = env.oneOf('COOKIE_SAMESITE', ['strict', 'lax', 'none'] as const, 'strict');
  if (cookieSameSite === 'none' && !cookieSecure) {
    env.problem('COOKIE_SAMESITE=none needs COOKIE_SECURE=true (browsers drop a SameSite=None cookie without Secure)');
  }
  return {
    maxAgeSeconds: env.duration('SESSION_MAX_AGE', '30d'),
    reuseGraceSeconds: env.duration('REFRESH_REUSE_GRACE', '10s', 0),
    maxPerUser: env.int('SESSIONS_MAX_PER_USER', 50, 1, 10_000),
    accessTokenRevocation: env.bool('ACCESS_TOKEN_REVOCATION', true, 'on', 'off'),
    refreshTransport: env.oneOf('REFRESH_TOKEN_TRANSPORT', TRANSPORTS, 'both'),
    cookieSecure,
    cookieSameSite,
  };
}
