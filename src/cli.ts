import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AppModule } from './app.module.js';
import { RegisterDto } from './auth/dto/register.dto.js';
import { EnvValidationError, validateEnv } from './config/env.validation.js';
import { stopEmbeddedPostgres } from './database/embedded-postgres.instance.js';
import { UsersService } from './users/users.service.js';

const USAGE = `Usage: npm run cli -- create-admin --email <email> --password <password>

Creates an admin account, or grants the admin role to an existing one (its password is then
left unchanged). Uses DATABASE_URL, or the embedded PostgreSQL under .data/ without it.`;

async function createAdmin(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' }, password: { type: 'string' } } });
  // The same rules as registration: a valid email and an acceptable password.
  const input = plainToInstance(RegisterDto, { email: values.email, password: values.password });
  const errors = await validate(input);
  if (errors.length > 0) {
    const messages = errors.flatMap((error) => Object.values(error.constraints ?? {}));
    throw new Error(`${messages.join('\n')}\n\n${USAGE}`);
  }

  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = validateEnv({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const { user, created } = await app.get(UsersService).createOrPromoteAdmin(input.email, input.password);
    console.warn(created ? `Created admin ${user.email} (${user.id})` : `Granted admin to existing user ${user.email} (${user.id})`);
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'create-admin') return createAdmin(args);
  throw new Error(USAGE);
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof EnvValidationError || error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(() => stopEmbeddedPostgres());
