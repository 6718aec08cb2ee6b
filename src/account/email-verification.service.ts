import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ClientContext } from '../common/client-context.decorator.js';
import type { AllConfig, EmailVerificationMode } from '../config/config.types.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { User } from '../users/entities/user.entity.js';
import { EmailTakenException } from '../users/users.exceptions.js';
import { UsersService } from '../users/users.service.js';
import { AccountLinksService, hashLinkToken } from './account-links.service.js';
import { LinkInvalidException } from './account.exceptions.js';
import { LinkTokensRepository } from './link-tokens.repository.js';

/** AUTH_EMAIL_VERIFICATION, and the links that verify an address or confirm a new one. */
@Injectable()
export class EmailVerificationService {
  readonly mode: EmailVerificationMode;

  constructor(
    config: ConfigService<AllConfig, true>,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly links: AccountLinksService,
    private readonly tokens: LinkTokensRepository,
  ) {
    this.mode = config.get('auth.emailVerification', { infer: true });
  }

  /** Whether this account may sign in (or refresh) now. */
  allowsSignIn(user: Pick<User, 'emailVerifiedAt'>): boolean {
    return this.mode !== 'required' || user.emailVerifiedAt != null;
  }

  /** At registration: a verification link unless AUTH_EMAIL_VERIFICATION=off. */
  async onRegistered(user: User): Promise<void> {
    if (this.mode !== 'off') await this.links.send('email_verification', user.id, user.email);
  }

  /** (Re)sends the link; nothing when the address is verified already or verification is off. */
  async resend(userId: string): Promise<void> {
    const user = await this.users.getById(userId);
    if (this.mode === 'off' || user.emailVerifiedAt) return;
    await this.links.send('email_verification', user.id, user.email);
  }

  /**
   * A sign-in refused for an unverified email (`required`): the account has no token to call the
   * resend route with, so a new link is mailed, but only when no earlier one still works (at most
   * one mail per EMAIL_VERIFICATION_TTL however often the password is tried).
   */
  async onSignInRefused(user: User): Promise<void> {
    if (await this.tokens.hasLiveLink(user.id, 'email_verification')) return;
    await this.links.send('email_verification', user.id, user.email);
  }

  /** Spends a verification or email-change link and applies it; returns the account as it is now. */
  async verify(token: string, client: ClientContext): Promise<User> {
    const spent = await this.tokens.spendEmailLink(hashLinkToken(token));
    if (spent === 'email_taken') throw new EmailTakenException();
    if (!spent) throw new LinkInvalidException();
    await this.sessions.recordAccountEvent(spent.kind === 'email_change' ? 'email_changed' : 'email_verified', spent.userId, client);
    return this.users.getById(spent.userId);
  }
}
