import { Inject, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ThrottlerStorage } from '@nestjs/throttler';
import { createHash } from 'node:crypto';
import { RateLimitedException } from '../common/app.exception.js';
import type { ClientContext } from '../common/client-context.decorator.js';
import type { AllConfig } from '../config/config.types.js';
import type { User } from './entities/user.entity.js';
import { PasswordService } from './password.service.js';
import { WrongCurrentPasswordException } from './users.exceptions.js';
import { CURRENT_PASSWORD_REJECTED, CurrentPasswordRejectedEvent, type CurrentPasswordAction } from './users.events.js';

/** API.md: 429 after 5 wrong current passwords per user within 15 minutes. */
export const CURRENT_PASSWORD_LIMIT = 5;
export const CURRENT_PASSWORD_WINDOW_MS = 15 * 60_000;
const THROTTLER_NAME = 'current-password';

/**
 * The check in front of every route that asks for the caller's `currentPassword` (a stolen access
 * token must not become a password-guessing oracle): call `verify()` instead of
 * PasswordService.verify(). One counter per user serves all those routes.
 *
 * The attempt is counted before the hash is checked, in the throttler storage (Redis with
 * REDIS_URL, so every instance shares it; else this instance's memory): its increment is atomic,
 * so guesses sent in parallel cannot all pass a check made before the first failure is counted.
 * The counter is keyed by the stored hash too, so the success that changes the password starts a
 * fresh count; a correct password that leaves the hash as it was (email change) still counts.
 */
@Injectable()
export class CurrentPasswordCheck {
  private readonly enabled: boolean;

  constructor(
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
    config: ConfigService<AllConfig, true>,
    private readonly passwords: PasswordService,
    private readonly events: EventEmitter2,
  ) {
    this.enabled = config.get('auth.throttleEnabled', { infer: true });
  }

  /**
   * Resolves when `currentPassword` is the user's; 429 `rate_limited` once limited (whatever the
   * password), 400 on a wrong one, published as CurrentPasswordRejectedEvent (recorded before this
   * throws).
   */
  async verify(
    user: User,
    currentPassword: string,
    action: CurrentPasswordAction,
    sessionId: string,
    client: ClientContext,
  ): Promise<void> {
    if (this.enabled) {
      const generation = createHash('sha256').update(user.passwordHash).digest('base64url').slice(0, 12);
      const record = await this.storage.increment(
        `${user.id}:${generation}`,
        CURRENT_PASSWORD_WINDOW_MS,
        CURRENT_PASSWORD_LIMIT,
        CURRENT_PASSWORD_WINDOW_MS,
        THROTTLER_NAME,
      );
      if (record.isBlocked) throw new RateLimitedException(record.timeToBlockExpire);
    }
    if (await this.passwords.verify(user.passwordHash, currentPassword)) return;
    await this.events.emitAsync(
      CURRENT_PASSWORD_REJECTED,
      new CurrentPasswordRejectedEvent(user.id, sessionId, action, client.ip, client.userAgent),
    );
    throw new WrongCurrentPasswordException();
  }
}
