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
    // A server that does not answer (host gone, network cut) fails a request after 5 s instead of
    // hanging it; the problem filter answers 503 and the pool reconnects when the server returns.
    extra: { max: 10, application_name: 'auth-service', connectionTimeoutMillis: 5000 },
  };
}
