import { NestFactory } from '@nestjs/core';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { parseArgs } from 'node:util';
import { AppModule } from '../app.module.js';
import { RegisterDto } from '../auth/dto/register.dto.js';
import type { AllConfig } from '../config/config.types.js';
import { UsersService } from '../users/users.service.js';

export const CREATE_ADMIN_USAGE = `Usage: npm run cli -- create-admin --email <email> --password <password>

Creates an admin account, or grants the admin role to an existing one (its password is then
left unchanged). Uses DATABASE_URL, or the embedded PostgreSQL under .data/ without it.`;

/** `create-admin`: returns the line to print; throws with the usage on bad arguments. */
export async function createAdmin(args: string[], config: AllConfig): Promise<string> {
  const { values } = parseArgs({ args, options: { email: { type: 'string' }, password: { type: 'string' } } });
  // The same rules as registration: a valid email and an acceptable password.
  const input = plainToInstance(RegisterDto, { email: values.email, password: values.password });
  const errors = await validate(input);
  if (errors.length > 0) {
    const messages = errors.flatMap((error) => Object.values(error.constraints ?? {}));
    throw new Error(`${messages.join('\n')}\n\n${CREATE_ADMIN_USAGE}`);
  }

  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const { user, outcome } = await app.get(UsersService).createOrPromoteAdmin(input.email, input.password);
    const who = `${user.email} (${user.id})`;
    if (outcome === 'created') return `Created admin ${who}`;
    return outcome === 'promoted' ? `Granted admin to existing user ${who}` : `${who} is already an admin`;
  } finally {
    await app.close();
  }
}
