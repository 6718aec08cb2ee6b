/**
 * Application events published by UsersModule. Other modules react without UsersModule knowing
 * them (AuthModule revokes the other sessions when a password changes).
 */
export const PASSWORD_CHANGED = 'user.password_changed';

export class PasswordChangedEvent {
  constructor(
    readonly userId: string,
    /** The session that made the change; it stays signed in. */
    readonly currentSessionId: string,
    readonly ip: string | null,
    readonly userAgent: string | null,
  ) {}
}
