import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { validateEnv } from './src/config/env.validation.js';
import { LinkToken } from './src/account/entities/link-token.entity.js';
import { dataSourceOptions } from './src/database/data-source-options.js';
import { EmbeddedPostgres } from './src/database/embedded-postgres.js';
import { AuthEvent } from './src/sessions/entities/auth-event.entity.js';
import { Session } from './src/sessions/entities/session.entity.js';
import { User } from './src/users/entities/user.entity.js';

// The TypeORM CLI's data source (`npm run migration:run|revert|show|generate`): the same options
// as the application, against DATABASE_URL or, without it, the embedded cluster under .data/.
if (existsSync('.env')) process.loadEnvFile('.env');
const config = validateEnv(process.env);
const url =
  config.database.url ??
  (await new EmbeddedPostgres({
    dataDir: config.database.embeddedDataDir,
    database: 'auth',
    log: (message) => console.error(message),
  }).start());

// Every entity, so `migration:generate` compares the whole model with the database.
export default new DataSource(dataSourceOptions(url, [User, Session, AuthEvent, LinkToken]));
