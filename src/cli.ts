import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { CLEANUP_USAGE, cleanup } from './cli/cleanup.command.js';
import { CREATE_ADMIN_USAGE, createAdmin } from './cli/create-admin.command.js';
import type { AllConfig } from './config/config.types.js';
import { EnvValidationError, validateEnv } from './config/env.validation.js';
import { stopEmbeddedPostgres } from './database/embedded-postgres.instance.js';

const COMMANDS: Record<string, (args: string[], config: AllConfig) => Promise<string>> = {
  'create-admin': createAdmin,
  cleanup,
};

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  const run = Object.hasOwn(COMMANDS, command ?? '') ? COMMANDS[command] : undefined;
  if (!run) throw new Error(`${CREATE_ADMIN_USAGE}\n\n${CLEANUP_USAGE}`);
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = validateEnv({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  console.warn(await run(args, config));
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof EnvValidationError || error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(() => stopEmbeddedPostgres());
