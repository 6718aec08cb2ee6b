import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { CREATE_ADMIN_USAGE, createAdmin } from './cli/create-admin.command.js';
import { EnvValidationError, validateEnv } from './config/env.validation.js';
import { stopEmbeddedPostgres } from './database/embedded-postgres.instance.js';

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command !== 'create-admin') throw new Error(CREATE_ADMIN_USAGE);
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = validateEnv({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  console.warn(await createAdmin(args, config));
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof EnvValidationError || error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(() => stopEmbeddedPostgres());
