import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Account administration: disabled accounts, the admin behind an event, prefix search on emails,
 * and security events that outlive their account (kept, stripped of personal data, on deletion).
 */
export class AccountAdministration1765150000000 implements MigrationInterface {
  name = 'AccountAdministration1765150000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users ADD COLUMN disabled_at timestamptz`);
    // `?email=` prefix search: LIKE 'abc%' can only use a btree built with the pattern operators
    // (the unique lower(email) index follows the database collation).
    await queryRunner.query(`CREATE INDEX users_email_lower_pattern_idx ON users (lower(email) text_pattern_ops)`);
    // The last-admin rule locks the active admins; this keeps finding them cheap.
    await queryRunner.query(`CREATE INDEX users_active_admins_idx ON users (id) WHERE 'admin' = ANY (roles) AND disabled_at IS NULL`);

    await queryRunner.query(`ALTER TABLE auth_events ADD COLUMN actor_id uuid`);
    // Events stay after their account is deleted (account_deleted among them): no cascade.
    await queryRunner.query(`ALTER TABLE auth_events DROP CONSTRAINT auth_events_user_id_fkey`);
    // The revocation resync reads the sessions a deletion took away from these events.
    await queryRunner.query(
      `CREATE INDEX auth_events_session_revoked_idx ON auth_events (created_at) WHERE type = 'session_revoked'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX auth_events_session_revoked_idx`);
    // Events of deleted accounts cannot satisfy the restored foreign key.
    await queryRunner.query(
      `DELETE FROM auth_events e WHERE e.user_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = e.user_id)`,
    );
    await queryRunner.query(
      `ALTER TABLE auth_events ADD CONSTRAINT auth_events_user_id_fkey
         FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE`,
    );
    await queryRunner.query(`ALTER TABLE auth_events DROP COLUMN actor_id`);
    await queryRunner.query(`DROP INDEX users_active_admins_idx`);
    await queryRunner.query(`DROP INDEX users_email_lower_pattern_idx`);
    await queryRunner.query(`ALTER TABLE users DROP COLUMN disabled_at`);
  }
}
