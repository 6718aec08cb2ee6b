import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the batched clean-up walks. Sessions: an index on the moment a session surely ended (its
 * revocation, else its absolute expiry); neither column changes on rotation, so rotations stay HOT
 * updates (an index on `expires_at`, which every rotation rewrites, would cost each one an insert
 * into every index). auth_events needs no new index: its identity key ascends in insertion order,
 * so the oldest rows sit at the left edge of the primary key. Autovacuum is told to follow each
 * cycle's deletes on auth_events instead of waiting for 20 % of a large table to be dead.
 */
export class ScalableCleanup1765000000000 implements MigrationInterface {
  name = 'ScalableCleanup1765000000000';
  /** CREATE INDEX CONCURRENTLY cannot run in a transaction; it lets logins and rotations go on. */
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS sessions_ended_at_idx
         ON sessions ((least(absolute_expires_at, coalesce(revoked_at, 'infinity'::timestamptz))))`,
    );
    await queryRunner.query(
      `ALTER TABLE auth_events SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 50000)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE auth_events RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold)`);
    await queryRunner.query(`DROP INDEX IF EXISTS sessions_ended_at_idx`);
  }
}
