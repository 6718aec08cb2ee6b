import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { QueryFailedError, type DataSource } from 'typeorm';
import type { Transaction } from '../database/transactions.js';
import type { LinkKind } from './entities/link-token.entity.js';

const UNIQUE_VIOLATION = '23505';

export interface SpentEmailLink {
  userId: string;
  kind: 'email_verification' | 'email_change';
  newEmail: string | null;
}

/**
 * The only place that touches link_tokens. Spending a link and applying it to the account
 * (users.password_hash, users.email, users.email_verified_at) is one statement, so a link is
 * never spent without its effect nor applied twice: two requests with one link serialise on its
 * row and exactly one finds it unspent.
 */
@Injectable()
export class LinkTokensRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Stores a new link and voids the user's outstanding links of the same kind. The user's row is
   * locked first, so of two links issued at once the later one still voids the earlier.
   */
  async issue(userId: string, kind: LinkKind, tokenHash: string, ttlSeconds: number, newEmail: string | null): Promise<void> {
    await this.db.transaction(async (manager) => {
      await manager.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [userId]);
      await manager.query(
        `WITH voided AS (
           UPDATE link_tokens SET voided_at = now()
            WHERE user_id = $1 AND kind = $2 AND used_at IS NULL AND voided_at IS NULL
         )
         INSERT INTO link_tokens (user_id, kind, token_hash, new_email, expires_at)
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))`,
        [userId, kind, tokenHash, newEmail, ttlSeconds],
      );
    });
  }

  /**
   * Spends a live password-reset link, stores `passwordHash` for its account and voids the
   * account's other reset links. Returns the account id, or null when the link is not live.
   */
  async spendPasswordReset(tokenHash: string, passwordHash: string): Promise<string | null> {
    const rows: { id: string }[] = await this.db.query(
      `WITH spent AS (
         UPDATE link_tokens SET used_at = now()
          WHERE token_hash = $1 AND kind = 'password_reset'
            AND used_at IS NULL AND voided_at IS NULL AND expires_at > now()
         RETURNING user_id
       ),
       updated AS (
         UPDATE users u SET password_hash = $2, updated_at = now() FROM spent WHERE u.id = spent.user_id RETURNING u.id
       ),
       voided AS (
         UPDATE link_tokens l SET voided_at = now() FROM spent
          WHERE l.user_id = spent.user_id AND l.kind = 'password_reset' AND l.token_hash <> $1
            AND l.used_at IS NULL AND l.voided_at IS NULL
       )
       SELECT id FROM updated`,
      [tokenHash, passwordHash],
    );
    return rows[0]?.id ?? null;
  }

  /**
   * Spends a live verification or email-change link and applies it: marks the email verified, or
   * moves the account to the new address (verified) and voids its outstanding reset and
   * verification links. 'email_taken' when the new address was registered meanwhile: the unique
   * index aborts the statement, so the link stays unspent.
   */
  async spendEmailLink(tokenHash: string): Promise<SpentEmailLink | 'email_taken' | null> {
    try {
      const rows: SpentEmailLink[] = await this.db.query(
        `WITH spent AS (
           UPDATE link_tokens SET used_at = now()
            WHERE token_hash = $1 AND kind IN ('email_verification', 'email_change')
              AND used_at IS NULL AND voided_at IS NULL AND expires_at > now()
           RETURNING user_id, kind, new_email
         ),
         updated AS (
           UPDATE users u
              SET email = coalesce(spent.new_email, u.email),
                  email_verified_at = CASE WHEN spent.kind = 'email_change' THEN now()
                                           ELSE coalesce(u.email_verified_at, now()) END,
                  updated_at = now()
             FROM spent WHERE u.id = spent.user_id
           RETURNING u.id
         ),
         voided AS (
           UPDATE link_tokens l SET voided_at = now() FROM spent
            WHERE spent.kind = 'email_change' AND l.user_id = spent.user_id
              AND l.kind IN ('password_reset', 'email_verification')
              AND l.used_at IS NULL AND l.voided_at IS NULL
         )
         SELECT s.user_id AS "userId", s.kind, s.new_email AS "newEmail" FROM spent s JOIN updated ON updated.id = s.user_id`,
        [tokenHash],
      );
      return rows[0] ?? null;
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        return 'email_taken';
      }
      throw error;
    }
  }

  /** Whether the user holds a link of `kind` that still works. */
  async hasLiveLink(userId: string, kind: LinkKind): Promise<boolean> {
    const rows: unknown[] = await this.db.query(
      `SELECT 1 FROM link_tokens
        WHERE user_id = $1 AND kind = $2 AND used_at IS NULL AND voided_at IS NULL AND expires_at > now()
        LIMIT 1`,
      [userId, kind],
    );
    return rows.length > 0;
  }

  /** Deletes links that stopped working (expired, spent or voided) more than `retainSeconds` ago. */
  async deleteStale(retainSeconds: number): Promise<number> {
    const rows: { n: number }[] = await this.db.query(
      `WITH d AS (DELETE FROM link_tokens
                   WHERE least(expires_at, coalesce(used_at, 'infinity'), coalesce(voided_at, 'infinity'))
                         < now() - make_interval(secs => $1)
                  RETURNING 1)
       SELECT count(*)::int AS n FROM d`,
      [retainSeconds],
    );
    return rows[0].n;
  }

  /** Voids the user's outstanding links of these kinds (a password change voids reset links, in its transaction). */
  async voidOutstanding(userId: string, kinds: LinkKind[], transaction?: Transaction): Promise<void> {
    await (transaction?.manager ?? this.db).query(
      `UPDATE link_tokens SET voided_at = now()
        WHERE user_id = $1 AND kind = ANY($2::varchar[]) AND used_at IS NULL AND voided_at IS NULL`,
      [userId, kinds],
    );
  }
}
