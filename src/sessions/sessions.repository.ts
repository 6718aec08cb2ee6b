import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Page } from '../common/pagination.dto.js';
import { PreparedStatements } from '../database/prepared-statements.js';
import type { Transaction } from '../database/transactions.js';
import type { AuthEventType } from './entities/auth-event.entity.js';
import type { RevokeReason } from './entities/session.entity.js';
import type { ClientContext } from '../common/client-context.decorator.js';
import type { SessionState } from './sessions.types.js';

interface SessionStateRow {
  id: string;
  user_id: string;
  generation: number;
  /** Seconds since the epoch (SESSION_TIMES): a token's iat and exp, with no Date to parse. */
  rotated_at: number;
  expires_at: number;
  roles: SessionState['roles'];
  email_verified: boolean;
}

export interface SessionLimits {
  refreshTtlSeconds: number;
  maxAgeSeconds: number;
  maxPerUser: number;
}

export interface ActiveSessionRow {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
}

export interface EventRow {
  type: AuthEventType;
  at: Date;
  ip: string | null;
  userAgent: string | null;
  sessionId: string | null;
  /** The admin who acted on the account, when one did. */
  actorId: string | null;
}

/**
 * A session's token times in whole seconds since the epoch, the unit of the token's iat and exp,
 * so pg parses no dates. Performance workaround for the `refresh` benchmark scenario (README, Performance).
 */
const SESSION_TIMES = (alias: string) =>
  `floor(extract(epoch FROM ${alias}rotated_at))::float8 AS rotated_at, floor(extract(epoch FROM ${alias}expires_at))::float8 AS expires_at`;

/** What a rotation writes besides the new generation (see `SessionsRepository.rotate`). */
export type RotationRecord = 'same-device' | 'silent' | 'event';

/**
 * The rotation's compare-and-swap; `extraSet` and `extraWhere` distinguish the variants. It
 * returns only what the caller does not know already: id, user and generation are its arguments
 * (`refresh` benchmark scenario: pg builds each returned column's parser and row field per call).
 */
const rotateUpdate = (extraSet: string, extraWhere: string) => `
  UPDATE sessions s
     SET generation = s.generation + 1,
         rotated_at = date_trunc('second', now()),
         expires_at = least(date_trunc('second', now()) + make_interval(secs => $4), s.absolute_expires_at),
         last_used_at = now()${extraSet}
    FROM users u
   WHERE s.id = $1 AND s.user_id = $2 AND s.generation = $3
     AND s.revoked_at IS NULL AND s.expires_at > now() AND u.id = s.user_id AND u.disabled_at IS NULL${extraWhere}
  RETURNING ${SESSION_TIMES('s.')}, u.roles, u.email_verified_at IS NOT NULL AS email_verified`;

const SET_ORIGIN = ', ip = $5, user_agent = $6';

/** Each rotation variant as a prepared statement: its name and text. */
const ROTATE_STATEMENTS: Record<RotationRecord, readonly [name: string, sql: string]> = {
  'same-device': [
    'sessions_rotate_same_device',
    rotateUpdate('', ' AND s.ip IS NOT DISTINCT FROM $5 AND s.user_agent IS NOT DISTINCT FROM $6'),
  ],
  silent: ['sessions_rotate_silent', rotateUpdate(SET_ORIGIN, '')],
  event: [
    'sessions_rotate_event',
    `WITH rotated AS (${rotateUpdate(SET_ORIGIN, '')}),
          refresh_event AS (
            INSERT INTO auth_events (user_id, session_id, type, ip, user_agent)
            SELECT $2, $1, 'refresh', $5, $6 FROM rotated
          )
          SELECT * FROM rotated`,
  ],
};

type RotatedRow = Omit<SessionStateRow, 'id' | 'user_id' | 'generation'>;

/**
 * The state from a row and the session's identity, which a rotation knows without reading it back.
 * Built as one literal, not by spreading the row (`refresh` benchmark scenario).
 */
const toState = (row: RotatedRow, id: string, userId: string, generation: number): SessionState => ({
  id,
  userId,
  generation,
  rotatedAt: row.rotated_at,
  expiresAt: row.expires_at,
  roles: row.roles,
  emailVerified: row.email_verified,
});

/**
 * The only place that touches sessions and auth_events. Everything that must hold under
 * concurrency is a single SQL statement: rotation is a compare-and-swap on `generation`, and each
 * state change writes its security event in the same statement.
 */
@Injectable()
export class SessionsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    /** Login and refresh run as named prepared statements (planned once per connection). */
    private readonly prepared: PreparedStatements,
  ) {}

  /** Where SQL goes: the caller's transaction if it passes one, else the pool. */
  private db(transaction?: Transaction): Pick<DataSource, 'query'> {
    return transaction?.manager ?? this.dataSource;
  }

  /**
   * Opens a session (times in whole seconds: they are the refresh token's iat/exp) and, past the
   * per-user cap, revokes the least recently used ones. Returns the session and the evicted ids,
   * or undefined when the account is disabled or gone.
   */
  async create(
    userId: string,
    origin: ClientContext,
    limits: SessionLimits,
    transaction?: Transaction,
  ): Promise<{ session: SessionState; evictedIds: string[] } | undefined> {
    const rows = await this.prepared.run<SessionStateRow & { evicted_ids: string[] | null }>(
      'sessions_create',
      `WITH t AS (SELECT date_trunc('second', now()) AS now),
       -- The share lock waits for an admin disabling or deleting the account, and the row is
       -- read again after it: no session is opened for an account that was just closed.
       account AS (SELECT id FROM users WHERE id = $1 AND disabled_at IS NULL FOR SHARE),
       created AS (
         INSERT INTO sessions (user_id, generation, rotated_at, expires_at, absolute_expires_at, last_used_at, ip, user_agent)
         SELECT account.id, 0, t.now,
                least(t.now + make_interval(secs => $2), t.now + make_interval(secs => $3)),
                t.now + make_interval(secs => $3), now(), $4, $5
           FROM t, account
         RETURNING id, user_id, generation, ${SESSION_TIMES('')}
       ),
       login_event AS (
         INSERT INTO auth_events (user_id, session_id, type, ip, user_agent)
         SELECT user_id, id, 'login', $4, $5 FROM created
       ),
       evicted AS (
         UPDATE sessions SET revoked_at = now(), revoke_reason = 'session_limit'
          WHERE EXISTS (SELECT 1 FROM created) AND id IN (SELECT id FROM sessions
                        WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
                        ORDER BY last_used_at DESC, created_at DESC
                        OFFSET $6 - 1)
         RETURNING id, user_id
       ),
       evicted_events AS (
         INSERT INTO auth_events (user_id, session_id, type, ip, user_agent)
         SELECT user_id, id, 'session_revoked', $4, $5 FROM evicted
       )
       SELECT c.*, u.roles, u.email_verified_at IS NOT NULL AS email_verified, (SELECT array_agg(id) FROM evicted) AS evicted_ids
         FROM created c JOIN users u ON u.id = c.user_id`,
      [userId, limits.refreshTtlSeconds, limits.maxAgeSeconds, origin.ip, origin.userAgent, limits.maxPerUser],
      transaction,
    );
    const row = rows[0];
    if (!row) return undefined;
    return { session: toState(row, row.id, row.user_id, row.generation), evictedIds: row.evicted_ids ?? [] };
  }

  /**
   * Compare-and-swap rotation: moves the session from `generation` to the next one only if that
   * is still its current generation and it is live, in one statement. Concurrent callers
   * serialise on the row lock; exactly one wins. `record` says what else the statement does:
   * `same-device` also requires the session's last IP and user agent to be the caller's (and so
   * writes neither), `silent` stores the caller's, `event` stores them and writes a `refresh` event.
   */
  async rotate(
    sessionId: string,
    userId: string,
    generation: number,
    origin: ClientContext,
    refreshTtlSeconds: number,
    record: RotationRecord,
  ): Promise<SessionState | undefined> {
    const [name, sql] = ROTATE_STATEMENTS[record];
    const rows = await this.prepared.run<RotatedRow>(
      name,
      sql,
      [sessionId, userId, generation, refreshTtlSeconds, origin.ip, origin.userAgent],
    );
    const row = rows[0];
    return row && toState(row, sessionId, userId, generation + 1);
  }

  /** The session as it is now, for classifying a refresh that lost the compare-and-swap. */
  async findForRefresh(
    sessionId: string,
    userId: string,
    graceSeconds: number,
  ): Promise<(SessionState & { active: boolean; rotatedWithinGrace: boolean }) | undefined> {
    const rows = await this.prepared.run<SessionStateRow & { active: boolean; within_grace: boolean }>(
      'sessions_find_for_refresh',
      `SELECT s.id, s.user_id, s.generation, ${SESSION_TIMES('s.')}, u.roles,
              u.email_verified_at IS NOT NULL AS email_verified,
              (s.revoked_at IS NULL AND s.expires_at > now()) AS active,
              -- From the rotation's exact time: rotated_at is truncated to whole seconds (it is the
              -- token's iat), which would shorten the window by up to a second. Only create and
              -- rotate write last_used_at, so past generation 0 it is the last rotation's now().
              (now() - s.last_used_at <= make_interval(secs => $3)) AS within_grace
         FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1 AND s.user_id = $2`,
      [sessionId, userId, graceSeconds],
    );
    const row = rows[0];
    return row && { ...toState(row, row.id, row.user_id, row.generation), active: row.active, rotatedWithinGrace: row.within_grace };
  }

  /**
   * Revokes one of the user's sessions (if still active) and records `eventType` for it.
   * Returns whether this call revoked it.
   */
  async revoke(
    sessionId: string,
    userId: string,
    reason: RevokeReason,
    eventType: AuthEventType,
    origin: ClientContext,
  ): Promise<boolean> {
    const ids = await this.revokeWhere(`id = $1 AND user_id = $2`, [sessionId, userId], reason, eventType, origin);
    return ids.length > 0;
  }

  /** Revokes every active session of the user except `keepSessionId`; returns the revoked ids. */
  revokeAllForUser(
    userId: string,
    keepSessionId: string | null,
    reason: RevokeReason,
    eventType: AuthEventType | null,
    origin: ClientContext,
    transaction?: Transaction,
  ): Promise<string[]> {
    return this.revokeWhere(
      `user_id = $1 AND id IS DISTINCT FROM $2`,
      [userId, keepSessionId],
      reason,
      eventType,
      origin,
      transaction,
    );
  }

  private async revokeWhere(
    condition: string,
    params: unknown[],
    reason: RevokeReason,
    eventType: AuthEventType | null,
    origin: ClientContext,
    transaction?: Transaction,
  ): Promise<string[]> {
    const n = params.length;
    const rows: { id: string }[] = await this.db(transaction).query(
      `WITH revoked AS (
         UPDATE sessions SET revoked_at = now(), revoke_reason = $${n + 1}
          WHERE ${condition} AND revoked_at IS NULL AND expires_at > now()
         RETURNING id, user_id
       ),
       revoke_events AS (
         INSERT INTO auth_events (user_id, session_id, type, ip, user_agent)
         SELECT user_id, id, $${n + 2}::varchar, $${n + 3}, $${n + 4} FROM revoked
          WHERE $${n + 2}::varchar IS NOT NULL
       )
       SELECT id FROM revoked`,
      [...params, reason, eventType, origin.ip, origin.userAgent],
    );
    return rows.map((row) => row.id);
  }

  async listActive(userId: string): Promise<ActiveSessionRow[]> {
    return this.db().query(
      `SELECT id, created_at AS "createdAt", last_used_at AS "lastUsedAt", expires_at AS "expiresAt",
              user_agent AS "userAgent", ip
         FROM sessions
        WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
        ORDER BY last_used_at DESC`,
      [userId],
    );
  }

  /**
   * Sessions revoked in the last `seconds`, including those of deleted accounts: their rows are
   * gone, so they are read from the `session_revoked` events the deletion wrote.
   */
  async findRevokedSince(seconds: number): Promise<{ id: string; revokedAt: Date }[]> {
    return this.db().query(
      `SELECT id, revoked_at AS "revokedAt" FROM sessions WHERE revoked_at > now() - make_interval(secs => $1)
       UNION ALL
       SELECT session_id, created_at FROM auth_events
        WHERE type = 'session_revoked' AND session_id IS NOT NULL AND created_at > now() - make_interval(secs => $1)`,
      [seconds],
    );
  }

  async recordEvent(
    type: AuthEventType,
    userId: string | null,
    sessionId: string | null,
    origin: ClientContext,
    transaction?: Transaction,
  ): Promise<void> {
    // The key-share lock stands in for a foreign key (events outlive their account): an event
    // racing the account's deletion waits for it and is then dropped, never left with an IP.
    await this.db(transaction).query(
      `INSERT INTO auth_events (user_id, session_id, type, ip, user_agent)
       SELECT $1, $2, $3, $4, $5
        WHERE $1::uuid IS NULL OR EXISTS (SELECT 1 FROM users WHERE id = $1 FOR KEY SHARE)`,
      [userId, sessionId, type, origin.ip, origin.userAgent],
    );
  }

  /**
   * One page of the user's events, newest first. `total` counts at most `countLimit` rows, so a
   * long history costs no more than the page's window plus that margin (an index-only range).
   */
  async findEventsPage(userId: string, page: number, pageSize: number, countLimit: number): Promise<Page<EventRow>> {
    const [items, count]: [EventRow[], { total: number }[]] = await Promise.all([
      this.db().query(
        `SELECT type, created_at AS at, ip, user_agent AS "userAgent", session_id AS "sessionId", actor_id AS "actorId"
           FROM auth_events WHERE user_id = $1
          ORDER BY created_at DESC, id DESC
          LIMIT $2 OFFSET $3`,
        [userId, pageSize, (page - 1) * pageSize],
      ),
      this.db().query(
        `SELECT count(*)::int AS total FROM (SELECT 1 FROM auth_events WHERE user_id = $1 LIMIT $2) AS capped`,
        [userId, countLimit],
      ),
    ]);
    return { items, total: count[0].total, page, pageSize };
  }
}
