import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { AllConfig, JwtAlgorithm, RefreshTokenTransport } from './config.types.js';
import { parseDurationSeconds } from './duration.js';

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
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const TRANSPORTS: readonly RefreshTokenTransport[] = ['body', 'cookie', 'both'];

type RawEnv = Record<string, unknown>;

/** Thrown at boot; the message names every offending variable. */
export class EnvValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'EnvValidationError';
  }
}

/**
 * The only reader of the environment: turns raw variables into the typed configuration, or
 * throws naming each bad variable. Used by ConfigModule (`validate`), ormconfig.ts and the CLI.
 */
export function validateEnv(raw: RawEnv): AllConfig {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const value = raw[name];
    if (value === undefined || value === null) return undefined;
    const text = String(value).trim();
    return text === '' ? undefined : text;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = str(name) ?? fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const value = str(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    problems.push(`${name} must be an integer between ${min} and ${max} (got "${value}")`);
    return fallback;
  };
  const duration = (name: string, fallback: string, minSeconds = 1): number => {
    const value = str(name) ?? fallback;
    const seconds = parseDurationSeconds(value);
    if (seconds !== undefined && seconds >= minSeconds) return seconds;
    problems.push(`${name} must be a duration such as 900, 15m or 7d, at least ${minSeconds}s (got "${value}")`);
    return parseDurationSeconds(fallback)!;
  };
  const bool = (name: string, fallback: boolean, on = 'true', off = 'false'): boolean => {
    const value = str(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value === on || value === '1') return true;
    if (value === off || value === '0') return false;
    problems.push(`${name} must be ${on} or ${off} (got "${value}")`);
    return fallback;
  };
  const url = (name: string): string | undefined => {
    const value = str(name);
    if (value === undefined) return undefined;
    try {
      new URL(value);
      return value;
    } catch {
      problems.push(`${name} must be a URL`);
      return undefined;
    }
  };

  const nodeEnv = oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const production = nodeEnv === 'production';

  const databaseUrl = url('DATABASE_URL');
  if (production && !databaseUrl) problems.push('DATABASE_URL is required in production');

  if (str('JWT_ALGORITHM') === 'EdDSA') {
    problems.push('JWT_ALGORITHM=EdDSA is not supported yet (jsonwebtoken, used by @nestjs/jwt and passport-jwt, lacks it); use ES256 or RS256');
  }
  const algorithm = str('JWT_ALGORITHM') === 'EdDSA' ? 'HS256' : oneOf('JWT_ALGORITHM', ALGORITHMS, 'HS256');
  const secret = (name: string): Buffer | undefined => {
    const value = str(name);
    if (value === undefined) {
      if (production) problems.push(`${name} is required in production`);
      return undefined;
    }
    if (Buffer.byteLength(value) < MIN_SECRET_BYTES) {
      problems.push(`${name} must be at least ${MIN_SECRET_BYTES} bytes`);
    } else if (production && EXAMPLE_SECRETS.includes(value)) {
      problems.push(`${name} is the example value from .env.example; generate a real secret`);
    }
    return Buffer.from(value);
  };
  // Refresh tokens are always HMAC-signed: only this service ever verifies them.
  const refreshSecret = secret('JWT_REFRESH_SECRET');
  const accessSecret = algorithm === 'HS256' ? secret('JWT_ACCESS_SECRET') : undefined;
  const privateKeys = listOf(str('JWT_PRIVATE_KEYS') ?? str('JWT_PRIVATE_KEY'));
  const publicKeys = listOf(str('JWT_PUBLIC_KEYS'));
  if (algorithm !== 'HS256' && privateKeys.length === 0) {
    problems.push(`JWT_PRIVATE_KEY is required with JWT_ALGORITHM=${algorithm}`);
  }
  if (accessSecret && refreshSecret && accessSecret.equals(refreshSecret)) {
    problems.push('JWT_ACCESS_SECRET and JWT_REFRESH_SECRET must differ');
  }

  const accessTtlSeconds = duration('ACCESS_TOKEN_TTL', '15m');
  const refreshTtlSeconds = duration('REFRESH_TOKEN_TTL', '7d');
  const maxAgeSeconds = duration('SESSION_MAX_AGE', '30d');

  const config: AllConfig = {
    app: {
      nodeEnv,
      host: str('HOST') ?? (production ? '0.0.0.0' : '127.0.0.1'),
      port: int('PORT', 3000, 0, 65535),
      logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
      swaggerEnabled: bool('SWAGGER_ENABLED', !production),
      corsOrigins: listOf(str('CORS_ORIGINS'), ','),
      bodyLimitBytes: 16 * 1024,
      trustProxy: bool('TRUST_PROXY', false),
    },
    database: {
      url: databaseUrl,
      listenUrl: url('DATABASE_LISTEN_URL') ?? databaseUrl,
      embeddedDataDir: resolve(str('EMBEDDED_POSTGRES_DIR') ?? '.data/postgres'),
      preparedStatements: bool('DATABASE_PREPARED_STATEMENTS', true, 'on', 'off'),
    },
    jwt: {
      algorithm,
      accessSecret: accessSecret ?? randomBytes(48),
      refreshSecret: refreshSecret ?? randomBytes(48),
      ephemeralSecrets: !refreshSecret || (algorithm === 'HS256' && !accessSecret),
      privateKeys,
      publicKeys,
      issuer: str('JWT_ISSUER') ?? 'auth-service',
      audience: str('JWT_AUDIENCE') ?? 'api',
      accessTtlSeconds,
      refreshTtlSeconds,
      clockToleranceSeconds: duration('JWT_CLOCK_TOLERANCE', '5s', 0),
    },
    session: {
      maxAgeSeconds,
      reuseGraceSeconds: duration('REFRESH_REUSE_GRACE', '10s', 0),
      maxPerUser: int('SESSIONS_MAX_PER_USER', 50, 1, 10_000),
      accessTokenRevocation: bool('ACCESS_TOKEN_REVOCATION', true, 'on', 'off'),
      refreshTransport: oneOf('REFRESH_TOKEN_TRANSPORT', TRANSPORTS, 'both'),
      cookieSecure: bool('COOKIE_SECURE', true),
      cookieSameSite: oneOf('COOKIE_SAMESITE', ['strict', 'lax', 'none'] as const, 'strict'),
    },
    auth: {
      registrationOpen: oneOf('AUTH_REGISTRATION', ['open', 'closed'] as const, 'open') === 'open',
      throttleEnabled: bool('THROTTLE_ENABLED', true),
      loginLimit: int('THROTTLE_LOGIN_LIMIT', 10, 1, 1_000_000),
      loginTtlSeconds: duration('THROTTLE_LOGIN_TTL', '60s'),
      emailVerification: oneOf('AUTH_EMAIL_VERIFICATION', ['off', 'optional', 'required'] as const, 'optional'),
      passwordResetTtlSeconds: duration('PASSWORD_RESET_TTL', '1h'),
      emailVerificationTtlSeconds: duration('EMAIL_VERIFICATION_TTL', '24h'),
    },
    redis: { url: url('REDIS_URL') },
    mail: {
      smtpUrl: url('SMTP_URL'),
      from: str('MAIL_FROM') ?? 'no-reply@localhost',
      appUrl: (url('APP_URL') ?? 'http://localhost:3000').replace(/\/+$/, ''),
    },
    events: {
      retentionSeconds: duration('AUTH_EVENTS_RETENTION', '90d'),
      refresh: oneOf('AUTH_EVENTS_REFRESH', ['changes', 'all', 'off'] as const, 'changes'),
    },
    metrics: {
      enabled: bool('METRICS_ENABLED', true),
      token: str('METRICS_TOKEN'),
    },
  };

  if (production && !config.mail.smtpUrl) problems.push('SMTP_URL is required in production');
  if (config.session.cookieSameSite === 'none' && !config.session.cookieSecure) {
    problems.push('COOKIE_SAMESITE=none needs COOKIE_SECURE=true (browsers drop a SameSite=None cookie without Secure)');
  }

  if (config.jwt.clockToleranceSeconds > 300) problems.push('JWT_CLOCK_TOLERANCE must be at most 5m');
  if (problems.length > 0) throw new EnvValidationError(problems);
  return config;
}

function listOf(value: string | undefined, separator = ';'): string[] {
  if (!value) return [];
  return value
    .split(separator)
    .map((item) => item.trim())
    .filter(Boolean);
}
