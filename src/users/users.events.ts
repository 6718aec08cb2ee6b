import type { Transaction } from '../database/transactions.js';

/**
 * Application events published by UsersModule. Other modules react without UsersModule knowing
 * them: SessionsService revokes the user's other sessions when a password changes, and
 * PasswordResetService voids the user's outstanding reset links. UsersService awaits the listeners
 * (emitAsync), so the response only comes once both are done.
 */
export const PASSWORD_CHANGED = 'user.password_changed';

export class PasswordChangedEvent {
  constructor(
    readonly userId: string,
    /** The session that made the change; it stays signed in. */
    readonly currentSessionId: string,
    readonly ip: string | null,
    readonly userAgent: string | null,
    /** The new hash's transaction: the listeners write in it, so all of it commits or none. */
    readonly transaction: Transaction,
  ) {}
}

/**
 * A wrong `currentPassword` on a route that asks for it (see CurrentPasswordCheck); SessionsService
 * records it as a security event (`password_change_failed`, `email_change_failed`,
 * `account_deletion_failed`).
 */
export const CURRENT_PASSWORD_REJECTED = 'user.current_password_rejected';

/** The routes that ask for the current password; each maps to its own event type. */
export type CurrentPasswordAction = 'password_change' | 'email_change' | 'account_deletion';

export class CurrentPasswordRejectedEvent {
  constructor(
    readonly userId: string,
    /** The session (access token) that made the attempt. */
    readonly sessionId: string,
    readonly action: CurrentPasswordAction,
    readonly ip: string | null,
    readonly userAgent: string | null,
  ) {}
}
