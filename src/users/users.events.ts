/**
 * Application events published by UsersModule. Other modules react without UsersModule knowing
 * them: SessionsService revokes the user's other sessions when a password changes. UsersService
 * awaits the listeners (emitAsync), so the response only comes once they are revoked.
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
