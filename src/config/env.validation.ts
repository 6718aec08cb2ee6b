import { appConfig } from './app.config.js';
import { authConfig } from './auth.config.js';
import type { AllConfig } from './config.types.js';
import { databaseConfig } from './database.config.js';
import { EnvReader } from './env-reader.js';
import { eventsConfig } from './events.config.js';
import { jwtConfig } from './jwt.config.js';
import { mailConfig } from './mail.config.js';
import { metricsConfig } from './metrics.config.js';
import { redisConfig } from './redis.config.js';
import { sessionConfig } from './session.config.js';

/** Thrown at boot; the message names every offending variable. */
export class EnvValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'EnvValidationError';
  }
}

/**
 * The only reader of the environment: turns raw variables into the typed configuration, one
 * namespace schema at a time, or throws naming each bad variable. Used by ConfigModule
 * (`validate`), ormconfig.ts and the CLI.
 */
export function validateEnv(raw: Record<string, unknown>): AllConfig {
  const env = new EnvReader(raw);
  const app = appConfig(env);
  const production = app.nodeEnv === 'production';
  const config: AllConfig = {
    app,
    database: databaseConfig(env, production),
    jwt: jwtConfig(env, production),
    session: sessionConfig(env),
    auth: authConfig(env),
    redis: redisConfig(env),
    mail: mailConfig(env, production),
    events: eventsConfig(env),
    metrics: metricsConfig(env),
  };
  if (env.problems.length > 0) throw new EnvValidationError(env.problems);
  return config;
}
