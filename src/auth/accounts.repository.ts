import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Role } from '../common/auth/role.js';
import type { AuthEventType } from '../sessions/entities/auth-event.entity.js';

export interface AccountChange {
  roles?: Role[];
  disabled?: boolean;
}

export type ChangeResult =
  | { outcome: 'not_found' }
  | { outcome: 'last_admin' }
  /** `events`: what changed (none for a change to the current values). */
  | { outcome: 'changed'; events: AuthEventType[]; revokedSessionIds: string[] };

export type DeleteResult = 'deleted' | 'not_found' | 'last_admin';

interface LockedAccount {
  roles: Role[];
  disabled: boolean;
  /** The only admin that is not disabled: it must stay one. */
  lastActiveAdmin: boolean;
}

const sameRoles = (a: Role[], b: Role[]) => a.length === b.length && a.every((role) => b.includes(role));

/**
 * Account administration across users, sessions and auth_events. Each operation is one
 * transaction that first locks the active admins, then the account: the last-admin rule is decided
 * under those locks, so two admins demoting (or disabling, deleting) each other at once serialise
 * and the second sees the first's result. Events name the acting admin in `actor_id` and carry no
 * IP or user agent (those would be the admin's, shown in the account's own log).
 */
@Injectable()
export class AccountsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Sets roles and/or the disabled flag; disabling revokes every session in the same transaction. */
  change(userId: string, change: AccountChange, actorId: string): Promise<ChangeResult> {
    return this.db.transaction(async (tx): Promise<ChangeResult> => {
      const account = await this.lock(tx, userId);
      if (!account) return { outcome: 'not_found' };
      const roles = change.roles ?? account.roles;
      const disabled = change.disabled ?? account.disabled;
      if (account.lastActiveAdmin && (!roles.includes('admin') || disabled)) return { outcome: 'last_admin' };

      const events: AuthEventType[] = [];
      if (!sameRoles(roles, account.roles)) events.push('roles_changed');
      if (disabled !== account.disabled) events.push(disabled ? 'account_disabled' : 'account_enabled');
      if (events.length === 0) return { outcome: 'changed', events, revokedSessionIds: [] };

      await tx.query(
        `UPDATE users SET roles = $2, disabled_at = CASE WHEN $3 THEN coalesce(disabled_at, now()) END, updated_at = now()
          WHERE id = $1`,
        [userId, roles, disabled],
      );
      // Expired sessions too: an access token can outlive its session's refresh expiry. (A CTE:
      // TypeORM answers a bare UPDATE ... RETURNING with [rows, count], not the rows.)
      const revoked: { id: string }[] = events.includes('account_disabled')
        ? await tx.query(
            `WITH revoked AS (
               UPDATE sessions SET revoked_at = now(), revoke_reason = 'account_disabled'
                WHERE user_id = $1 AND revoked_at IS NULL
               RETURNING id
             )
             SELECT id FROM revoked`,
            [userId],
          )
        : [];
      await this.recordEvents(tx, userId, events, actorId);
      return { outcome: 'changed', events, revokedSessionIds: revoked.map((row) => row.id) };
    });
  }

  /**
   * Deletes the account (its sessions cascade); its events stay without IP and user agent, plus
   * `session_revoked` for each live session and `account_deleted`. `beforeCommit` gets the ids of
   * the live sessions, so their access tokens are refused before the rows are gone.
   */
  delete(userId: string, actorId: string | null, beforeCommit: (sessionIds: string[]) => Promise<void>): Promise<DeleteResult> {
    return this.db.transaction(async (tx): Promise<DeleteResult> => {
      const account = await this.lock(tx, userId);
      if (!account) return 'not_found';
      if (account.lastActiveAdmin) return 'last_admin';
      const sessions: { id: string }[] = await tx.query(`SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL`, [
        userId,
      ]);
      await tx.query(
        `UPDATE auth_events SET ip = NULL, user_agent = NULL
          WHERE user_id = $1 AND (ip IS NOT NULL OR user_agent IS NOT NULL)`,
        [userId],
      );
      // One session_revoked per live session: the sessions rows go, and these events are what the
      // revocation resync of an instance starting in the next minutes still finds.
      await tx.query(
        `INSERT INTO auth_events (user_id, session_id, type, actor_id)
         SELECT $1, unnest($2::uuid[]), 'session_revoked', $3`,
        [userId, sessions.map((row) => row.id), actorId],
      );
      await this.recordEvents(tx, userId, ['account_deleted'], actorId);
      await tx.query(`DELETE FROM users WHERE id = $1`, [userId]);
      await beforeCommit(sessions.map((row) => row.id));
      return 'deleted';
    });
  }

  /**
   * Revokes every active session of the account and records `logout_all` naming the admin, in one
   * statement; null when the account does not exist.
   */
  async revokeAllSessions(userId: string, actorId: string): Promise<string[] | null> {
    const rows: { found: boolean; ids: string[] }[] = await this.db.query(
      `WITH account AS (SELECT id FROM users WHERE id = $1 FOR KEY SHARE),
       revoked AS (
         UPDATE sessions SET revoked_at = now(), revoke_reason = 'logout_all'
          WHERE user_id IN (SELECT id FROM account) AND revoked_at IS NULL AND expires_at > now()
         RETURNING id
       ),
       logout_event AS (
         INSERT INTO auth_events (user_id, type, actor_id) SELECT id, 'logout_all', $2 FROM account
       )
       SELECT EXISTS (SELECT 1 FROM account) AS found,
              coalesce((SELECT array_agg(id) FROM revoked), '{}') AS ids`,
      [userId, actorId],
    );
    return rows[0].found ? rows[0].ids : null;
  }

  /** Locks the active admins (in id order, so concurrent callers cannot deadlock), then the account. */
  private async lock(tx: EntityManager, userId: string): Promise<LockedAccount | undefined> {
    const admins: { id: string }[] = await tx.query(
      `SELECT id FROM users WHERE 'admin' = ANY (roles) AND disabled_at IS NULL ORDER BY id FOR UPDATE`,
    );
    const rows: { roles: Role[]; disabled: boolean }[] = await tx.query(
      `SELECT roles, disabled_at IS NOT NULL AS disabled FROM users WHERE id = $1 FOR UPDATE`,
      [userId],
    );
    if (!rows[0]) return undefined;
    const activeAdmin = admins.some((admin) => admin.id === userId);
    return { ...rows[0], lastActiveAdmin: activeAdmin && admins.length === 1 };
  }

  private async recordEvents(tx: EntityManager, userId: string, types: AuthEventType[], actorId: string | null) {
    await tx.query(`INSERT INTO auth_events (user_id, type, actor_id) SELECT $1, unnest($2::varchar[]), $3`, [
      userId,
      types,
      actorId,
    ]);
  }
}
