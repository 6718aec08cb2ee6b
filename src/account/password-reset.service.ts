import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { ClientContext } from '../common/client-context.decorator.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { PASSWORD_CHANGED, PasswordChangedEvent } from '../users/users.events.js';
import { UsersService } from '../users/users.service.js';
import { AccountLinksService, hashLinkToken } from './account-links.service.js';
import { LinkInvalidException } from './account.exceptions.js';
import { BackgroundTasks } from './background-tasks.js';
import { LinkTokensRepository } from './link-tokens.repository.js';

/** Forgotten passwords: a mailed single-use link, then a new password and every session ended. */
@Injectable()
export class PasswordResetService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly links: AccountLinksService,
    private readonly tokens: LinkTokensRepository,
    private readonly background: BackgroundTasks,
  ) {}

  /**
   * Returns before looking the email up: the answer, and how long it takes, are the same whether
   * or not an account has this address. The link is issued and mailed in the background.
   */
  requestReset(email: string, client: ClientContext): void {
    this.background.run('password reset request', async () => {
      const user = await this.users.findByEmail(email);
      if (!user) return;
      await this.links.send('password_reset', user.id, user.email);
      await this.sessions.recordAccountEvent('password_reset_requested', user.id, client);
    });
  }

  /**
   * Spends the link and stores the new password in one statement, then revokes every session of
   * the account (access tokens included, through the revocation broadcast).
   */
  async reset(token: string, newPassword: string, client: ClientContext): Promise<void> {
    const passwordHash = await this.users.hashPassword(newPassword);
    const userId = await this.tokens.spendPasswordReset(hashLinkToken(token), passwordHash);
    if (!userId) throw new LinkInvalidException();
    await this.sessions.revokeEverySession(userId, 'password_reset', client);
  }

  /** A password change voids every outstanding reset link. */
  @OnEvent(PASSWORD_CHANGED, { suppressErrors: false })
  async onPasswordChanged(event: PasswordChangedEvent): Promise<void> {
    await this.links.voidOutstanding(event.userId, ['password_reset'], event.transaction);
  }
}
