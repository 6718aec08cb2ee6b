import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import type { Page } from '../common/pagination.dto.js';
import type { AllConfig, RefreshEventsMode, SessionConfig } from '../config/config.types.js';
import { afterCommit, Transactions, type Transaction } from '../database/transactions.js';
import { AuthMetrics } from '../metrics/auth-metrics.js';
import {
  CURRENT_PASSWORD_REJECTED,
  CurrentPasswordRejectedEvent,
  PASSWORD_CHANGED,
  PasswordChangedEvent,
  type CurrentPasswordAction,
} from '../users/users.events.js';
import type { AuthEventType } from './entities/auth-event.entity.js';
import { RevocationService } from './revocation.service.js';
import { securityEventName, SecurityEvent } from './security-events.js';
import { SessionNotFoundException } from './sessions.exceptions.js';
import { SessionsRepository, type ActiveSessionRow, type EventRow, type RotationRecord } from './sessions.repository.js';
import type { ClientContext } from '../common/client-context.decorator.js';
import type { RotationResult, SessionState } from './sessions.types.js';

const REJECTED_EVENT: Record<CurrentPasswordAction, AuthEventType> = {
  password_change: 'password_change_failed',
  email_change: 'email_change_failed',
  account_deletion: 'account_deletion_failed',
};

/** The first rotation attempt per AUTH_EVENTS_REFRESH mode. */
const FIRST_ROTATION: Record<RefreshEventsMode, RotationRecord> = { changes: 'same-device', all: 'event', off: 'silent' };

/** How far past the requested page `GET /auth/events` counts before it reports a capped `total`. */
export const EVENTS_TOTAL_LOOKAHEAD = 1000;

/**
 * Session lifecycle: open, rotate (with grace-window replay and reuse detection), revoke. Knows
 * nothing about JWTs: it hands AuthModule the state a refresh token is derived from.
 */
@Injectable()
export class SessionsService {
  private readonly settings: SessionConfig;
  private readonly refreshTtlSeconds: number;
  private readonly refreshEvents: RefreshEventsMode;

  constructor(
    config: ConfigService<AllConfig, true>,
    private readonly sessions: SessionsRepository,
    private readonly revocations: RevocationService,
    private readonly emitter: EventEmitter2,
    private readonly metrics: AuthMetrics,
    private readonly transactions: Transactions,
  ) {
    this.settings = config.get('session', { infer: true });
    this.refreshTtlSeconds = config.get('jwt.refreshTtlSeconds', { infer: true });
    this.refreshEvents = config.get('events.refresh', { infer: true });
  }

  /** Opens a session (in `transaction`, if given); null when the account was disabled or deleted meanwhile. */
  async open(userId: string, origin: ClientContext, transaction?: Transaction): Promise<SessionState | null> {
    const limits = {
      refreshTtlSeconds: this.refreshTtlSeconds,
      maxAgeSeconds: this.settings.maxAgeSeconds,
      maxPerUser: this.settings.maxPerUser,
    };
    const created = await this.sessions.create(userId, origin, limits, transaction);
    if (!created) return null;
    const { session, evictedIds } = created;
    // Inside a registration the session may still be rolled back: tell no one before the commit.
    await afterCommit(transaction, async () => {
      await this.revocations.publish(evictedIds);
      this.metrics.revoked('session_limit', evictedIds.length);
      this.emit('login', userId, session.id, origin);
      for (const id of evictedIds) this.emit('session_revoked', userId, id, origin);
    });
    return session;
  }

  /**
   * Rotates the session the presented refresh token (generation `generation`) belongs to.
   * The common path is one statement; only a lost compare-and-swap reads the row to classify:
   * the immediate parent within the grace window is replayed, anything older is reuse. With
   * AUTH_EVENTS_REFRESH=changes the first statement also requires the session's last IP and user
   * agent, so a refresh from a known device writes no event; a swap lost only to that condition
   * (same generation, still live) is retried once with the `refresh` event.
   */
  async rotate(sessionId: string, userId: string, generation: number, origin: ClientContext): Promise<RotationResult> {
    const first = FIRST_ROTATION[this.refreshEvents];
    const rotated = await this.sessions.rotate(sessionId, userId, generation, origin, this.refreshTtlSeconds, first);
    if (rotated) {
      if (first === 'event') this.emit('refresh', userId, sessionId, origin);
      return { outcome: 'rotated', session: rotated };
    }
    let current = await this.sessions.findForRefresh(sessionId, userId, this.settings.reuseGraceSeconds);
    if (first === 'same-device' && current?.active && current.generation === generation) {
      const moved = await this.sessions.rotate(sessionId, userId, generation, origin, this.refreshTtlSeconds, 'event');
      if (moved) {
        this.emit('refresh', userId, sessionId, origin);
        return { outcome: 'rotated', session: moved };
      }
      // A concurrent refresh won in between: classify against the row as it is now.
      current = await this.sessions.findForRefresh(sessionId, userId, this.settings.reuseGraceSeconds);
    }
    if (!current || !current.active || current.generation === generation) return { outcome: 'inactive' };
    if (current.generation < generation) return { outcome: 'invalid' };
    if (current.generation === generation + 1 && current.rotatedWithinGrace) {
      return { outcome: 'replayed', session: current };
    }
    if (await this.sessions.revoke(sessionId, userId, 'refresh_token_reused', 'refresh_token_reused', origin)) {
      this.metrics.revoked('refresh_token_reused');
      this.emit('refresh_token_reused', userId, sessionId, origin);
    }
    await this.revocations.publish([sessionId]);
    return { outcome: 'reused', revokedSessionId: sessionId };
  }

  /** Ends one session (logout); idempotent. */
  async close(sessionId: string, userId: string, origin: ClientContext): Promise<void> {
    if (await this.sessions.revoke(sessionId, userId, 'logout', 'logout', origin)) {
      await this.revocations.publish([sessionId]);
      this.metrics.revoked('logout');
      this.emit('logout', userId, sessionId, origin);
    }
  }

  /** Revokes one of the user's active sessions; 404 when it is not one. */
  async revokeOwn(sessionId: string, userId: string, origin: ClientContext): Promise<void> {
    if (!(await this.sessions.revoke(sessionId, userId, 'revoked', 'session_revoked', origin))) {
      throw new SessionNotFoundException();
    }
    await this.revocations.publish([sessionId]);
    this.metrics.revoked('revoked');
    this.emit('session_revoked', userId, sessionId, origin);
  }

  /** Revokes all the user's sessions, or all but `keepSessionId`; returns how many. */
  async closeAll(userId: string, currentSessionId: string, keepCurrent: boolean, origin: ClientContext): Promise<number> {
    const keep = keepCurrent ? currentSessionId : null;
    const ids = await this.revokeAll(userId, keep, 'logout_all', currentSessionId, origin);
    return ids.length;
  }

  /**
   * Revokes every session of the account (a password reset) and records `event` once for the
   * account; returns how many were revoked. Access tokens are refused once the broadcast lands.
   */
  async revokeEverySession(userId: string, event: 'password_reset', origin: ClientContext): Promise<number> {
    const ids = await this.revokeAll(userId, null, event, null, origin);
    return ids.length;
  }

  /** An account event that belongs to no session (reset requested, email verified or changed). */
  recordAccountEvent(
    type: 'password_reset_requested' | 'email_verified' | 'email_changed',
    userId: string,
    origin: ClientContext,
  ): Promise<void> {
    return this.record(type, userId, null, origin);
  }

  /** Runs inside UsersService's password-change transaction: the new hash and these writes commit together. */
  @OnEvent(PASSWORD_CHANGED, { suppressErrors: false })
  async onPasswordChanged(event: PasswordChangedEvent): Promise<void> {
    const origin = { ip: event.ip, userAgent: event.userAgent };
    await this.revokeAll(event.userId, event.currentSessionId, 'password_changed', event.currentSessionId, origin, event.transaction);
  }

  /** A wrong current password is recorded before the 400 goes out (emitAsync awaits this). */
  @OnEvent(CURRENT_PASSWORD_REJECTED, { suppressErrors: false })
  async onCurrentPasswordRejected(event: CurrentPasswordRejectedEvent): Promise<void> {
    const origin = { ip: event.ip, userAgent: event.userAgent };
    await this.record(REJECTED_EVENT[event.action], event.userId, event.sessionId, origin);
  }

  listActive(userId: string): Promise<ActiveSessionRow[]> {
    return this.sessions.listActive(userId);
  }

  /** A failed login: recorded against the account when the email is known. */
  recordLoginFailed(userId: string | null, origin: ClientContext): Promise<void> {
    return this.record('login_failed', userId, null, origin);
  }

  /** `total` is exact up to EVENTS_TOTAL_LOOKAHEAD events past the requested page, and capped there. */
  eventsPage(userId: string, page: number, pageSize: number): Promise<Page<EventRow>> {
    return this.sessions.findEventsPage(userId, page, pageSize, page * pageSize + EVENTS_TOTAL_LOOKAHEAD);
  }

  /**
   * Revokes the user's sessions but `keepSessionId` and records `event` once for the account (against
   * `eventSessionId`), in one transaction (`within`, if the caller holds one); the broadcast and the
   * in-process events follow the commit.
   */
  private revokeAll(
    userId: string,
    keepSessionId: string | null,
    event: 'logout_all' | 'password_reset' | 'password_changed',
    eventSessionId: string | null,
    origin: ClientContext,
    within?: Transaction,
  ): Promise<string[]> {
    return this.transactions.run(async (transaction) => {
      const ids = await this.sessions.revokeAllForUser(userId, keepSessionId, event, null, origin, transaction);
      transaction.afterCommit(() => {
        this.metrics.revoked(event, ids.length);
        return this.revocations.publish(ids);
      });
      await this.record(event, userId, eventSessionId, origin, transaction);
      return ids;
    }, within);
  }

  /** Writes the event (in `transaction`, if given) and publishes it in-process once committed. */
  private async record(
    type: AuthEventType,
    userId: string | null,
    sessionId: string | null,
    origin: ClientContext,
    transaction?: Transaction,
  ): Promise<void> {
    await this.sessions.recordEvent(type, userId, sessionId, origin, transaction);
    await afterCommit(transaction, () => this.emit(type, userId, sessionId, origin));
  }

  /** In-process publication of an event already written to auth_events. */
  private emit(type: AuthEventType, userId: string | null, sessionId: string | null, origin: ClientContext): void {
    this.emitter.emit(securityEventName(type), new SecurityEvent(type, userId, sessionId, origin.ip, origin.userAgent));
  }
}
