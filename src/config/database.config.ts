import { resolve } from 'node:path';
import type { DatabaseConfig } from './config.types.js';
import type { EnvReader } from './env-reader.js';

export function databaseConfig(env: EnvReader, production: boolean): DatabaseConfig {
  const url = env.url('DATABASE_URL');
  if (production && !url) env.problem('DATABASE_URL is required in production');
  return {
    url,
    listenUrl: env.url('DATABASE_LISTEN_URL') ?? url,
    embeddedDataDir: resolve(env.string('EMBEDDED_POSTGRES_DIR') ?? '.data/postgres'),
    preparedStatements: env.bool('DATABASE_PREPARED_STATEMENTS', true, 'on', 'off'),
  };
}
