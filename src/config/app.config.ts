import type { AppConfig } from './config.types.js';
import type { EnvReader } from './env-reader.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function appConfig(env: EnvReader): AppConfig {
  const nodeEnv = env.oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const production = nodeEnv === 'production';
  return {
    nodeEnv,
    host: env.string('HOST') ?? (production ? '0.0.0.0' : '127.0.0.1'),
    port: env.int('PORT', 3000, 0, 65535),
    logLevel: env.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    swaggerEnabled: env.bool('SWAGGER_ENABLED', !production),
    corsOrigins: env.list('CORS_ORIGINS', ','),
    bodyLimitBytes: 16 * 1024,
    trustProxy: env.bool('TRUST_PROXY', false),
  };
}
