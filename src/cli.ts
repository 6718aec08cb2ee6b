import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { describeKeys, generateKeys } from './cli/keys-generate.command.js';
import { UsageError } from './cli/usage-error.js';
import type { AllConfig } from './config/config.types.js';
import { EnvValidationError, validateEnv } from './config/env.validation.js';
import { stopEmbeddedPostgres } from './database/embedded-postgres.instance.js';

const USAGE = `Usage: npm run cli -- <command> [options]   (or node dist/cli.js <command> [options])

  create-admin --email <email> --password <password>   create an admin, or promote an account
  keys:generate --alg ES256|RS256 [--out DIR]          write a new signing key pair, print its env lines
  migrate                                              apply pending database migrations
  cleanup [--batch-size <rows>]                        one clean-up cycle now: ended sessions, old events`;

function loadConfig(): AllConfig {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return validateEnv({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  // Commands load the application only when they need it: keys:generate needs no database.
  switch (command) {
    case 'create-admin': {
      const { createAdmin } = await import('./cli/create-admin.command.js');
      console.warn(await createAdmin(args, loadConfig()));
      return;
    }
    case 'keys:generate':
      process.stdout.write(describeKeys(generateKeys(args)));
      return;
    case 'migrate': {
      if (args.length > 0) throw new UsageError(`migrate takes no arguments.\n\n${USAGE}`);
      const { migrate } = await import('./cli/migrate.command.js');
      process.stdout.write(`${await migrate(loadConfig())}\n`);
      return;
    }
    case 'cleanup': {
      const { cleanup } = await import('./cli/cleanup.command.js');
      console.warn(await cleanup(args, loadConfig()));
      return;
    }
    default:
      throw new UsageError(command ? `Unknown command "${command}".\n\n${USAGE}` : USAGE);
  }
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof EnvValidationError || error instanceof Error ? error.message : error);
    process.exitCode = error instanceof UsageError ? error.exitCode : 1;
  })
  .finally(() => stopEmbeddedPostgres());
