import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Single-use mail links (password reset, email verification, email change) and verified emails. */
export class LinkTokens1765100000000 implements MigrationInterface {
  name = 'LinkTokens1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users ADD COLUMN email_verified_at timestamptz`);
    await queryRunner.query(`
      CREATE TABLE link_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        kind varchar(32) NOT NULL
          CHECK (kind IN ('password_reset', 'email_verification', 'email_change')),
        token_hash varchar(64) NOT NULL,
        new_email varchar(254),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        voided_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((kind = 'email_change') = (new_email IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX link_tokens_token_hash_key ON link_tokens (token_hash)`);
    // Superseding and voiding look up a user's outstanding links of a kind.
    await queryRunner.query(
      `CREATE INDEX link_tokens_user_id_kind_idx ON link_tokens (user_id, kind) WHERE used_at IS NULL AND voided_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE link_tokens`);
    await queryRunner.query(`ALTER TABLE users DROP COLUMN email_verified_at`);
  }
}
