import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MigrationInterface } from 'typeorm';
import { MIGRATIONS } from './migrations.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
/** What `npm run migration:generate` writes: `<timestamp>-<Name>.ts`. */
const MIGRATION_FILE = /^(\d{13,})-([A-Za-z0-9]+)\.ts$/;

const migrationFiles = readdirSync(MIGRATIONS_DIR)
  .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.endsWith('.spec.ts'))
  .sort();

type MigrationClass = new () => MigrationInterface;

describe('MIGRATIONS (src/database/migrations.ts)', () => {
  it('finds migration files to check', () => {
    expect(migrationFiles.length).toBeGreaterThan(0);
  });

  it.each(migrationFiles)('%s follows the <timestamp>-<Name>.ts naming', (file) => {
    expect(file).toMatch(MIGRATION_FILE);
  });

  it.each(migrationFiles)('lists the migration class of %s', async (file) => {
    const module = (await import(`${MIGRATIONS_DIR}${file}`)) as Record<string, unknown>;
    const classes = Object.values(module).filter((value): value is MigrationClass => typeof value === 'function');

    expect(classes.length).toBeGreaterThan(0);
    for (const migration of classes) {
      expect({ file, migration: migration.name, listed: MIGRATIONS.includes(migration as never) }).toEqual({
        file,
        migration: migration.name,
        listed: true,
      });
    }
  });

  it.each(migrationFiles)('%s names its class and `name` after the file (TypeORM records `name` in the migrations table)', async (file) => {
    const [, timestamp, name] = MIGRATION_FILE.exec(file) ?? [];
    const module = (await import(`${MIGRATIONS_DIR}${file}`)) as Record<string, unknown>;
    const expected = `${name}${timestamp}`;

    const migration = module[expected] as MigrationClass | undefined;

    expect(migration).toBeDefined();
    expect(new migration!().name).toBe(expected);
  });

  it('lists nothing without a file, once each, oldest first', () => {
    const names = MIGRATIONS.map((migration) => migration.name);
    const fromFiles = migrationFiles.map((file) => {
      const [, timestamp, name] = MIGRATION_FILE.exec(file) ?? [];
      return `${name}${timestamp}`;
    });
    const timestampOf = (name: string) => Number(/(\d+)$/.exec(name)?.[1]);

    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...fromFiles].sort());
    expect(names.map(timestampOf)).toEqual([...names.map(timestampOf)].sort((a, b) => a - b));
  });

  it('gives every migration a down()', () => {
    for (const migration of MIGRATIONS) {
      expect(typeof (new migration() as MigrationInterface).down).toBe('function');
    }
  });
});
