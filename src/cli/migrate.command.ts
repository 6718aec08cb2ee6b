import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AllConfig } from '../config/config.types.js';
import { dataSourceOptions } from '../database/data-source-options.js';
import { embeddedPostgres } from '../database/embedded-postgres.instance.js';

export const MIGRATE_USAGE = `Usage: node dist/cli.js migrate   (or npm run cli -- migrate)

Applies pending migrations to DATABASE_URL (or the embedded PostgreSQL under .data/) and exits.
Needs only the production dependencies and the build, unlike npm run migration:run (tsx), so a
container or a Kubernetes Job can run it before the new version starts.`;

/** `migrate`: returns the line to print. */
export async function migrate(config: AllConfig): Promise<string> {
  const { database } = config;
  const url = database.url ?? (await embeddedPostgres(database.embeddedDataDir, new Logger('Database')).start());
  const dataSource = new DataSource(dataSourceOptions(url));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations();
    return applied.length === 0
      ? 'No pending migrations'
      : `Applied ${applied.length} migration(s): ${applied.map((migration) => migration.name).join(', ')}`;
  } finally {
    await dataSource.destroy();
  }
}
