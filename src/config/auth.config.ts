import type { AuthConfig } from './config.types.js';
import type { EnvReader } from './env-reader.js';

export function authConfig(env: EnvReader): AuthConfig {
  return {
    registrationOpen: env.oneOf('AUTH_REGISTRATION', ['open', 'closed'] as const, 'open') === 'open',
    throttleEnabled: env.bool('THROTTLE_ENABLED', true),
    loginLimit: env.int('THROTTLE_LOGIN_LIMIT', 10, 1, 1_000_000),
    loginTtlSeconds: env.duration('THROTTLE_LOGIN_TTL', '60s'),
    emailVerification: env.oneOf('AUTH_EMAIL_VERIFICATION', ['off', 'optional', 'required'] as const, 'optional'),
    passwordResetTtlSeconds: env.duration('PASSWORD_RESET_TTL', '1h'),
    emailVerificationTtlSeconds: env.duration('EMAIL_VERIFICATION_TTL', '24h'),
  };
}
