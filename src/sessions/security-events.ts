import type { AuthEventType } from './entities/auth-event.entity.js';

/**
 * Every security event is also published in-process as `auth.<type>` (e.g. `auth.login`), so a
 * team can react without touching this module:
 *
 *   @OnEvent('auth.login') onLogin(event: SecurityEvent) { ... }
 */
export const securityEventName = (type: AuthEventType) => `auth.${type}`;

export class SecurityEvent {
  constructor(
    readonly type: AuthEventType,
    readonly userId: string | null,
    readonly sessionId: string | null,
    readonly ip: string | null,
    readonly userAgent: string | null,
    readonly at: Date = new Date(),
    /** The admin who acted on the account, when one did. */
    readonly actorId: string | null = null,
  ) {}
}
