import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EnvValidationError, validateEnv } from './env.validation.js';
import { EXAMPLE_SECRETS } from './jwt.config.js';

const ACCESS_SECRET = 'unit-access-secret-0123456789abcdef0123456789';
const REFRESH_SECRET = 'unit-refresh-secret-0123456789abcdef012345678';
const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://auth@db.internal:5432/auth',
  JWT_ACCESS_SECRET: ACCESS_SECRET,
  JWT_REFRESH_SECRET: REFRESH_SECRET,
  SMTP_URL: 'smtp://mail.internal:587',
};

/** The EnvValidationError validateEnv throws for `env` (fails the test when it does not throw one). */
function validationError(env: Record<string, string>): EnvValidationError {
  try {
    validateEnv(env);
  } catch (error) {
    if (error instanceof EnvValidationError) return error;
    throw error;
  }
  throw new Error(`validateEnv accepted ${JSON.stringify(env)}`);
}

describe('validateEnv', () => {
  describe('defaults', () => {
    it('fills in the documented defaults outside production', () => {
      const config = validateEnv({});

      expect(config.app).toMatchObject({
        nodeEnv: 'development',
        port: 3000,
        logLevel: 'info',
        swaggerEnabled: true,
        corsOrigins: [],
        bodyLimitBytes: 16 * 1024,
        trustProxy: false,
      });
      expect(config.database.url).toBeUndefined();
      expect(config.database.listenUrl).toBeUndefined();
      expect(config.database.embeddedDataDir.endsWith('/.data/postgres')).toBe(true);
      expect(config.jwt).toMatchObject({
        algorithm: 'HS256',
        issuer: 'auth-service',
        audience: 'api',
        accessTtlSeconds: 15 * 60,
        refreshTtlSeconds: 7 * 86_400,
        clockToleranceSeconds: 5,
        ephemeralSecrets: true,
        privateKeys: [],
        publicKeys: [],
      });
      expect(config.session).toEqual({
        maxAgeSeconds: 30 * 86_400,
        reuseGraceSeconds: 10,
        maxPerUser: 50,
        accessTokenRevocation: true,
        refreshTransport: 'both',
        cookieSecure: true,
        cookieSameSite: 'strict',
      });
      expect(config.auth).toEqual({
        registrationOpen: true,
        throttleEnabled: true,
        loginLimit: 10,
        loginTtlSeconds: 60,
        emailVerification: 'optional',
        passwordResetTtlSeconds: 3600,
        emailVerificationTtlSeconds: 86_400,
      });
      expect(config.redis.url).toBeUndefined();
      expect(config.app.host).toBe('127.0.0.1');
      expect(config.database.preparedStatements).toBe(true);
      expect(config.mail).toEqual({ smtpUrl: undefined, from: 'no-reply@localhost', appUrl: 'http://localhost:3000' });
      expect(config.events).toEqual({ retentionSeconds: 90 * 86_400, refresh: 'changes' });
      expect(config.metrics).toEqual({ enabled: true, token: undefined });
    });

    it('generates random, distinct secrets of at least 32 bytes when none are set outside production', () => {
      const first = validateEnv({ NODE_ENV: 'development' });
      const second = validateEnv({ NODE_ENV: 'development' });

      expect(first.jwt.accessSecret.length).toBeGreaterThanOrEqual(32);
      expect(first.jwt.refreshSecret.length).toBeGreaterThanOrEqual(32);
      expect(first.jwt.accessSecret.equals(first.jwt.refreshSecret)).toBe(false);
      expect(first.jwt.accessSecret.equals(second.jwt.accessSecret)).toBe(false);
    });

    it('uses given secrets as they are and says they are not ephemeral', () => {
      const config = validateEnv({ JWT_ACCESS_SECRET: ACCESS_SECRET, JWT_REFRESH_SECRET: REFRESH_SECRET });

      expect(config.jwt.accessSecret.toString()).toBe(ACCESS_SECRET);
      expect(config.jwt.refreshSecret.toString()).toBe(REFRESH_SECRET);
      expect(config.jwt.ephemeralSecrets).toBe(false);
    });

    it('defaults DATABASE_LISTEN_URL to DATABASE_URL', () => {
      const config = validateEnv({ DATABASE_URL: 'postgres://localhost/auth' });

      expect(config.database.listenUrl).toBe('postgres://localhost/auth');
    });

    it('turns Swagger off by default in production', () => {
      expect(validateEnv(PRODUCTION).app.swaggerEnabled).toBe(false);
      expect(validateEnv({ ...PRODUCTION, SWAGGER_ENABLED: 'true' }).app.swaggerEnabled).toBe(true);
    });

    it('parses lists and switches', () => {
      const config = validateEnv({
        CORS_ORIGINS: 'https://a.example.com, https://b.example.com,',
        ACCESS_TOKEN_REVOCATION: 'off',
        REFRESH_TOKEN_TRANSPORT: 'cookie',
        COOKIE_SECURE: 'false',
        AUTH_REGISTRATION: 'closed',
        THROTTLE_ENABLED: '0',
      });

      expect(config.app.corsOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
      expect(config.session).toMatchObject({ accessTokenRevocation: false, refreshTransport: 'cookie', cookieSecure: false });
      expect(config.auth).toMatchObject({ registrationOpen: false, throttleEnabled: false });
    });
  });

  describe('durations', () => {
    it.each([
      ['900', 900],
      ['15m', 900],
      ['7d', 604_800],
      ['2h', 7_200],
      ['30s', 30],
      [' 15m ', 900],
    ])('reads ACCESS_TOKEN_TTL=%p as %i seconds', (value, seconds) => {
      expect(validateEnv({ ACCESS_TOKEN_TTL: value }).jwt.accessTtlSeconds).toBe(seconds);
    });

    it('applies duration parsing to every duration variable', () => {
      const config = validateEnv({
        REFRESH_TOKEN_TTL: '7d',
        SESSION_MAX_AGE: '30d',
        REFRESH_REUSE_GRACE: '0',
        JWT_CLOCK_TOLERANCE: '0',
        THROTTLE_LOGIN_TTL: '15m',
      });

      expect(config.jwt.refreshTtlSeconds).toBe(604_800);
      expect(config.session.maxAgeSeconds).toBe(2_592_000);
      expect(config.session.reuseGraceSeconds).toBe(0);
      expect(config.jwt.clockToleranceSeconds).toBe(0);
      expect(config.auth.loginTtlSeconds).toBe(900);
    });
  });

  describe('bad values', () => {
    it.each([
      ['NODE_ENV', 'staging'],
      ['PORT', 'abc'],
      ['PORT', '70000'],
      ['PORT', '80.5'],
      ['LOG_LEVEL', 'loud'],
      ['SWAGGER_ENABLED', 'maybe'],
      ['TRUST_PROXY', 'yes'],
      ['DATABASE_URL', 'not a url'],
      ['DATABASE_LISTEN_URL', 'not a url'],
      ['REDIS_URL', 'not a url'],
      ['JWT_ALGORITHM', 'none'],
      ['JWT_ALGORITHM', 'HS512'],
      ['JWT_ACCESS_SECRET', 'too-short'],
      ['JWT_REFRESH_SECRET', 'too-short'],
      ['ACCESS_TOKEN_TTL', '15x'],
      ['ACCESS_TOKEN_TTL', '0'],
      ['ACCESS_TOKEN_TTL', '-5m'],
      ['REFRESH_TOKEN_TTL', '1w'],
      ['SESSION_MAX_AGE', 'forever'],
      ['REFRESH_REUSE_GRACE', '10 seconds'],
      ['JWT_CLOCK_TOLERANCE', '10m'],
      ['SESSIONS_MAX_PER_USER', '0'],
      ['SESSIONS_MAX_PER_USER', 'many'],
      ['ACCESS_TOKEN_REVOCATION', 'true'],
      ['REFRESH_TOKEN_TRANSPORT', 'header'],
      ['COOKIE_SECURE', 'yes'],
      ['AUTH_REGISTRATION', 'invite-only'],
      ['THROTTLE_ENABLED', 'nope'],
      ['THROTTLE_LOGIN_LIMIT', '0'],
      ['THROTTLE_LOGIN_TTL', '0'],
    ])('refuses %s=%p with an EnvValidationError naming the variable', (name, value) => {
      const error = validationError({ [name]: value });

      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('EnvValidationError');
      expect(error.problems.some((problem) => problem.includes(name))).toBe(true);
      expect(error.message).toContain(name);
    });

    it('names every bad variable at once', () => {
      const error = validationError({ PORT: 'abc', LOG_LEVEL: 'loud', ACCESS_TOKEN_TTL: '15x' });

      expect(error.problems).toHaveLength(3);
      for (const name of ['PORT', 'LOG_LEVEL', 'ACCESS_TOKEN_TTL']) expect(error.message).toContain(name);
    });

    it('refuses the same secret for access and refresh tokens', () => {
      const error = validationError({ JWT_ACCESS_SECRET: ACCESS_SECRET, JWT_REFRESH_SECRET: ACCESS_SECRET });

      expect(error.message).toContain('JWT_ACCESS_SECRET');
      expect(error.message).toContain('JWT_REFRESH_SECRET');
    });

    it('requires a private key for an asymmetric algorithm', () => {
      expect(validationError({ JWT_ALGORITHM: 'ES256', JWT_REFRESH_SECRET: REFRESH_SECRET }).message).toContain('JWT_PRIVATE_KEY');
    });

    it('does not echo a rejected secret in the error', () => {
      const error = validationError({ JWT_ACCESS_SECRET: 'short-secret-value' });

      expect(error.message).not.toContain('short-secret-value');
    });
  });

  describe('production', () => {
    it('accepts a complete production configuration', () => {
      const config = validateEnv(PRODUCTION);

      expect(config.app.nodeEnv).toBe('production');
      expect(config.jwt.ephemeralSecrets).toBe(false);
    });

    it('refuses to start without DATABASE_URL', () => {
      const { DATABASE_URL: _url, ...env } = PRODUCTION;

      expect(validationError(env).problems).toEqual([expect.stringContaining('DATABASE_URL')]);
    });

    it.each(['JWT_ACCESS_SECRET', 'JWT_REFRESH_SECRET'])('refuses to start without %s', (name) => {
      const env: Record<string, string> = { ...PRODUCTION };
      delete env[name];

      expect(validationError(env).problems).toEqual([expect.stringContaining(name)]);
    });

    it('refuses to start with neither secret, naming both', () => {
      const { JWT_ACCESS_SECRET: _a, JWT_REFRESH_SECRET: _r, ...env } = PRODUCTION;

      const error = validationError(env);

      expect(error.message).toContain('JWT_ACCESS_SECRET');
      expect(error.message).toContain('JWT_REFRESH_SECRET');
    });

    it('counts bytes, not characters: refuses a 31-byte secret and accepts a 32-byte one', () => {
      const thirtyOne = 'a'.repeat(31);
      const thirtyTwoBytesInSixteenChars = 'é'.repeat(16);
      expect(Buffer.byteLength(thirtyOne)).toBe(31);
      expect(Buffer.byteLength(thirtyTwoBytesInSixteenChars)).toBe(32);

      expect(validationError({ ...PRODUCTION, JWT_ACCESS_SECRET: thirtyOne }).problems).toEqual([
        expect.stringContaining('JWT_ACCESS_SECRET'),
      ]);
      expect(validationError({ ...PRODUCTION, JWT_REFRESH_SECRET: 'é'.repeat(15) + 'a' }).problems).toEqual([
        expect.stringContaining('JWT_REFRESH_SECRET'),
      ]);
      expect(validateEnv({ ...PRODUCTION, JWT_ACCESS_SECRET: 'a'.repeat(32) }).jwt.accessSecret.length).toBe(32);
      expect(validateEnv({ ...PRODUCTION, JWT_REFRESH_SECRET: thirtyTwoBytesInSixteenChars }).jwt.refreshSecret.length).toBe(32);
    });

    it.each([
      ['JWT_ACCESS_SECRET', 0],
      ['JWT_REFRESH_SECRET', 1],
    ])('refuses the example value from .env.example as %s', (name, index) => {
      const error = validationError({ ...PRODUCTION, [name]: EXAMPLE_SECRETS[index] });

      expect(error.problems).toEqual([expect.stringContaining(name)]);
    });

    it('refuses every example secret in either variable', () => {
      for (const example of EXAMPLE_SECRETS) {
        expect(validationError({ ...PRODUCTION, JWT_ACCESS_SECRET: example }).message).toContain('JWT_ACCESS_SECRET');
        expect(validationError({ ...PRODUCTION, JWT_REFRESH_SECRET: example }).message).toContain('JWT_REFRESH_SECRET');
      }
    });
  });

  describe('EXAMPLE_SECRETS and .env.example', () => {
    const examplePath = fileURLToPath(new URL('../../.env.example', import.meta.url));
    // The file ships with the repository: a missing one fails these tests instead of skipping them.
    const exampleText = readFileSync(examplePath, 'utf8');

    it('lists only values long enough to pass outside production (so production is what refuses them)', () => {
      expect(EXAMPLE_SECRETS.length).toBeGreaterThan(0);
      for (const secret of EXAMPLE_SECRETS) expect(Buffer.byteLength(secret)).toBeGreaterThanOrEqual(32);
    });

    it('contains every secret value found in .env.example', () => {
      // `NAME=value` lines, commented-out ones too: a copied example is dangerous either way.
      const secrets = exampleText
        .split(/\r?\n/)
        .map((line) => /^\s*#?\s*([A-Z0-9_]*SECRET[A-Z0-9_]*)\s*=\s*(\S+)\s*$/.exec(line))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => ({ name: match[1], value: match[2].replace(/^(['"])(.*)\1$/, '$2') }))
        .filter(({ value }) => value !== '');

      expect(secrets.length).toBeGreaterThan(0);
      for (const { name, value } of secrets) {
        expect({ name, listed: EXAMPLE_SECRETS.includes(value) }).toEqual({ name, listed: true });
      }
    });
  });
});
