import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from './migrations.js';

/**
 * Options shared by the application (DatabaseModule, whose entities come from the feature
 * modules) and the migration CLI (ormconfig.ts, which lists them).
 */
export function dataSourceOptions(url: string, entities: DataSourceOptions['entities'] = []): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    // Each migration in its own transaction, so a failure leaves the earlier ones applied.
    migrationsTransactionMode: 'each',
    synchronize: false,
    extra: { max: 10, application_name: 'auth-service' },
  };
}
