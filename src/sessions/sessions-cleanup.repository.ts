import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/**
 * Every clean-up batch takes this transaction-scoped advisory lock first and does nothing without
 * it. A transaction-scoped lock lives exactly as long as the batch's statement, so it also works
 * behind a transaction-pooling proxy (PgBouncer `transaction` mode), where a session-level lock
 * would stay on whichever server connection happened to run it.
 */
export const CLEANUP_LOCK_KEY = '7417305301';

/** When a session surely ended: revoked, else its absolute expiry (the expression of sessions_ended_at_idx). */
const ENDED_AT = `least(absolute_expires_at, coalesce(revoked_at, 'infinity'::timestamptz))`;

export interface SessionsBatch {
  /** False when another instance held the lock: nothing was done. */
  locked: boolean;
  deleted: number;
  /** Keyset for the next batch: the latest end time deleted. */
  last: Date | null;
}

export interface EventsBatch {
  locked: boolean;
  deleted: number;
  /** Keyset for the next batch: the highest id looked at. */
  lastId: string | null;
  /** Rows looked at; fewer than the limit means the end of the table. */
  scanned: number;
}

/** The clean-up's statements: each one is a bounded batch, its own transaction, under the lock. */
@Injectable()
export class SessionsCleanupRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Deletes up to `limit` sessions that ended more than `retainSeconds` ago, oldest first from `from`. */
  async deleteEndedSessions(retainSeconds: number, from: Date | null, limit: number): Promise<SessionsBatch> {
    const rows: { locked: boolean; deleted: number; last: Date | null }[] = await this.db.query(
      // Deleted by ctid, the rows the index scan just read, without a lookup by key (bench --scale clean-up).
      `WITH lock AS MATERIALIZED (SELECT pg_try_advisory_xact_lock($1::bigint) AS held),
       batch AS (
         SELECT ctid
           FROM sessions
          WHERE (SELECT held FROM lock)
            AND ${ENDED_AT} >= coalesce($2::timestamptz, '-infinity')
            AND ${ENDED_AT} < now() - make_interval(secs => $3)
          ORDER BY ${ENDED_AT}
          LIMIT $4
       ),
       deleted AS (DELETE FROM sessions WHERE ctid = ANY (ARRAY(SELECT ctid FROM batch)) RETURNING ${ENDED_AT} AS ended_at)
       SELECT (SELECT held FROM lock) AS locked, count(*)::int AS deleted, max(ended_at) AS last FROM deleted`,
      [CLEANUP_LOCK_KEY, from, retainSeconds, limit],
    );
    return rows[0];
  }

  /**
   * Walks auth_events along its primary key (ids ascend with insertion, so the oldest rows come
   * first) from `afterId`, looks at up to `limit` rows and deletes those older than `retainSeconds`.
   */
  async deleteOldEvents(retainSeconds: number, afterId: string | null, limit: number): Promise<EventsBatch> {
    const rows: { locked: boolean; deleted: number; last_id: string | null; scanned: number }[] = await this.db.query(
      `WITH lock AS MATERIALIZED (SELECT pg_try_advisory_xact_lock($1::bigint) AS held),
       batch AS (
         SELECT ctid, id, created_at < now() - make_interval(secs => $3) AS expired
           FROM auth_events
          WHERE (SELECT held FROM lock) AND id > coalesce($2::bigint, 0)
          ORDER BY id
          LIMIT $4
       ),
       deleted AS (DELETE FROM auth_events WHERE ctid = ANY (ARRAY(SELECT ctid FROM batch WHERE expired)) RETURNING 1)
       SELECT (SELECT held FROM lock) AS locked, (SELECT count(*)::int FROM deleted) AS deleted,
              max(id)::text AS last_id, count(*)::int AS scanned
         FROM batch`,
      [CLEANUP_LOCK_KEY, afterId, retainSeconds, limit],
    );
    const row = rows[0];
    return { locked: row.locked, deleted: row.deleted, lastId: row.last_id, scanned: row.scanned };
  }
}
