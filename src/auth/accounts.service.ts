import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { NotFoundException } from '../common/app.exception.js';
import type { ClientContext } from '../common/client-context.decorator.js';
import { ROLES } from '../common/auth/role.js';
import type { AuthEventType } from '../sessions/entities/auth-event.entity.js';
import { RevocationService } from '../sessions/revocation.service.js';
import { securityEventName, SecurityEvent } from '../sessions/security-events.js';
import type { ActiveSessionRow } from '../sessions/sessions.repository.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { User } from '../users/entities/user.entity.js';
import { NO_SUCH_USER } from '../users/users.exceptions.js';
import { UsersService } from '../users/users.service.js';
import { AccountsRepository, type AccountChange } from './accounts.repository.js';
import { LastActiveAdminException } from './auth.exceptions.js';

/**
 * Account administration and removal: the admin routes on /users/:id and DELETE /users/me. Lives
 * beside auth because it spans users and sessions (UsersModule knows nothing of sessions).
 */
@Injectable()
export class AccountsService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly accounts: AccountsRepository,
    private readonly revocations: RevocationService,
    private readonly emitter: EventEmitter2,
  ) {}

  get(userId: string): Promise<User> {
    return this.users.getById(userId);
  }

  /**
   * An admin sets roles and/or `disabled`. Disabling revokes every session (access tokens refused
   * through the revocation broadcast); 409 when it would leave no active admin.
   */
  async change(userId: string, change: AccountChange, actorId: string): Promise<User> {
    // Stored in ROLES order, so equal sets look equal.
    const roles = change.roles && ROLES.filter((role) => change.roles!.includes(role));
    const result = await this.accounts.change(userId, { roles, disabled: change.disabled }, actorId);
    if (result.outcome === 'not_found') throw new NotFoundException(NO_SUCH_USER);
    if (result.outcome === 'last_admin') throw new LastActiveAdminException();
    await this.revocations.publish(result.revokedSessionIds);
    for (const type of result.events) this.emit(type, userId, actorId);
    return this.users.getById(userId);
  }

  /** An admin deletes any account but the last active admin. */
  deleteByAdmin(userId: string, actorId: string): Promise<void> {
    return this.delete(userId, actorId);
  }

  /**
   * The holder deletes their own account after proving the password: 400 on a wrong one (recorded,
   * nothing else changed), 429 once the per-user limit of wrong current passwords is reached.
   */
  async deleteOwn(userId: string, currentPassword: string, sessionId: string, client: ClientContext): Promise<void> {
    await this.users.checkCurrentPassword(userId, currentPassword, 'account_deletion', sessionId, client);
    await this.delete(userId, null);
  }

  async sessionsOf(userId: string): Promise<ActiveSessionRow[]> {
    await this.users.getById(userId);
    return this.sessions.listActive(userId);
  }

  /** Signs the account out everywhere; returns how many sessions were revoked. */
  async revokeAllSessions(userId: string, actorId: string): Promise<number> {
    const ids = await this.accounts.revokeAllSessions(userId, actorId);
    if (!ids) throw new NotFoundException(NO_SUCH_USER);
    await this.revocations.publish(ids);
    this.emit('logout_all', userId, actorId);
    return ids.length;
  }

  private async delete(userId: string, actorId: string | null): Promise<void> {
    // The revocation goes out before the commit: once the sessions are deleted, the resync
    // from the sessions table could not recover a broadcast lost after it.
    const outcome = await this.accounts.delete(userId, actorId, (sessionIds) => this.revocations.publish(sessionIds));
    if (outcome === 'not_found') throw new NotFoundException(NO_SUCH_USER);
    if (outcome === 'last_admin') throw new LastActiveAdminException();
    this.emit('account_deleted', userId, actorId);
  }

  private emit(type: AuthEventType, userId: string, actorId: string | null): void {
    this.emitter.emit(securityEventName(type), new SecurityEvent(type, userId, null, null, null, new Date(), actorId));
  }
}
