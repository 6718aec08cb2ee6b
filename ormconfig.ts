import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { validateEnv } from './src/config/env.validation.js';
import { dataSourceOptions } from './src/database/data-source-options.js';
import { EmbeddedPostgres } from './src/database/embedded-postgres.js';

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

export default new DataSource(dataSourceOptions(url));
