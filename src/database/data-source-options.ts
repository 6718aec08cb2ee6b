import type { DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from './migrations.js';

/** Options shared by the application (DatabaseModule) and the migration CLI (ormconfig.ts). */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    // Each migration in its own transaction, so a failure leaves the earlier ones applied.
    migrationsTransactionMode: 'each',
    synchronize: false,
    extra: { max: 10, application_name: 'auth-service' },
  };
}
