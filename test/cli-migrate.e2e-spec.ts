import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { MIGRATIONS } from '../src/database/migrations.js';
import { runCli } from './setup/cli.js';
import { createTestApp } from './setup/create-test-app.js';
import { TestDatabase } from './setup/database.js';

/**
 * `node dist/cli.js migrate`: what the container's migration service and the Kubernetes Job run,
 * with only production dependencies installed (the TypeORM CLI behind `npm run migration:run`
 * needs tsx). Spawned as its own process against a fresh database.
 */
describe('CLI migrate', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await TestDatabase.create();
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
  });

  it('applies every migration once, then reports nothing pending, and the service starts ready on it', async () => {
    const names = MIGRATIONS.map((migration) => migration.name);

    const first = await runCli(['migrate'], { DATABASE_URL: db.url });

    expect(first).toEqual({ code: 0, stdout: `Applied ${names.length} migration(s): ${names.join(', ')}\n`, stderr: '' });
    const applied = await db.query<{ name: string }>('SELECT name FROM migrations ORDER BY id');
    expect(applied.map((row) => row.name)).toEqual(names);
    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('users', 'sessions', 'auth_events')`,
    );
    expect(tables).toHaveLength(3);

    const second = await runCli(['migrate'], { DATABASE_URL: db.url });
    expect(second).toEqual({ code: 0, stdout: 'No pending migrations\n', stderr: '' });
    await expect(db.query('SELECT name FROM migrations')).resolves.toHaveLength(names.length);

    const t = await createTestApp({ db });
    try {
      await request(t.server).get('/health/ready').expect(200);
    } finally {
      await t.close();
    }
  }, 60_000);

  it('refuses arguments with exit code 2, and an unreachable database with exit code 1, touching nothing', async () => {
    const extra = await runCli(['migrate', '--force'], { DATABASE_URL: db.url });
    expect(extra.code).toBe(2);
    expect(extra.stderr).toMatch(/^migrate takes no arguments\./);

    const unreachable = await runCli(['migrate'], { DATABASE_URL: 'postgres://root@127.0.0.1:1/nowhere' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toBe('');
    expect(unreachable.stderr).toMatch(/ECONNREFUSED/);
  }, 60_000);
});
