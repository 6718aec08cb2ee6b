import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../config/config.types.js';
import { dataSourceOptions } from './data-source-options.js';
import { embeddedPostgres } from './embedded-postgres.instance.js';

/**
 * Applies the pending migrations outside the application (the CLI's `migrate`) and returns their
 * names, oldest first. Needs no entities: migrations are plain SQL.
 */
export async function runPendingMigrations(database: DatabaseConfig): Promise<string[]> {
  const url = database.url ?? (await embeddedPostgres(database.embeddedDataDir, new Logger('Database')).start());
  const dataSource = new DataSource(dataSourceOptions(url));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations();
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}
