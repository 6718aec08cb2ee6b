import { rm } from 'node:fs/promises';
import pg from 'pg';

/** Drops every database this run created (suites drop their own; this catches a crashed one). */
export default async function globalTeardown() {
  const admin = new pg.Client({ connectionString: process.env.TEST_ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
      `auth\\_test\\_${process.env.TEST_RUN_ID}\\_%`,
    ]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  const embedded = globalThis.testDatabaseServer;
  if (embedded) {
    await embedded.server.stop();
    await rm(embedded.dataDir, { recursive: true, force: true });
  }
}
