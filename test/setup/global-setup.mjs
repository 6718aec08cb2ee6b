// jest globalSetup runs outside jest's module system; tsx loads the TypeScript source.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';

/**
 * One PostgreSQL server for the whole run: DATABASE_URL when given (each suite then creates and
 * drops its own database on it), else a throw-away embedded cluster under .data/. Workers learn
 * where it is through the environment.
 */
export default async function globalSetup() {
  const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
  process.env.TEST_RUN_ID = runId;
  if (process.env.DATABASE_URL) {
    process.env.TEST_ADMIN_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  const { EmbeddedPostgres } = await tsImport('../../src/database/embedded-postgres.ts', import.meta.url);
  const dataDir = join(process.cwd(), '.data', `test-${runId}`);
  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  const server = new EmbeddedPostgres({ dataDir: join(dataDir, 'cluster'), database: 'postgres' });
  process.env.TEST_ADMIN_DATABASE_URL = await server.start();
  globalThis.testDatabaseServer = { server, dataDir };
}
