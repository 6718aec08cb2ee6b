import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EmailVerificationService } from '../account/email-verification.service.js';
import { AppException } from '../common/app.exception.js';
import type { ClientContext } from '../common/client-context.decorator.js';
import { AuthMetrics, type RefreshResult } from '../metrics/auth-metrics.js';
import type { RotationResult } from '../sessions/sessions.types.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { AllConfig } from '../config/config.types.js';
import { Transactions } from '../database/transactions.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import {
  AccountDisabledException,
  EmailNotVerifiedException,
  InvalidCredentialsException,
  RefreshTokenReusedException,
  RegistrationClosedException,
} from './auth.exceptions.js';
import { SessionRevokedException, TokenInvalidException } from '../common/auth/token.exceptions.js';
import type { LoginDto } from './dto/login.dto.js';
import type { RegisterDto } from './dto/register.dto.js';
import { TokensService, type TokenPair } from './tokens.service.js';
import type { RefreshPrincipal } from './types/token-claims.js';

/** How a rotation outcome is counted in `auth_refreshes_total`. */
const REFRESH_RESULTS: Record<RotationResult['outcome'], RefreshResult> = {
  rotated: 'rotated',
  replayed: 'grace',
  reused: 'reused',
  inactive: 'invalid',
  invalid: 'invalid',
};

/** Sign-up, sign-in and token refresh: users and sessions in, token pairs out. */
@Injectable()
export class AuthService {
  private readonly registrationOpen: boolean;

  constructor(
    config: ConfigService<AllConfig, true>,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly tokens: TokensService,
    private readonly verification: EmailVerificationService,
    private readonly metrics: AuthMetrics,
    private readonly transactions: Transactions,
  ) {
    this.registrationOpen = config.get('auth.registrationOpen', { infer: true });
  }

  /**
   * Creates the account and mails a verification link (unless AUTH_EMAIL_VERIFICATION=off). With
   * `required` no session is opened until the email is verified: `tokens` is null.
   */
  async register(input: RegisterDto, origin: ClientContext): Promise<{ user: User; tokens: TokenPair | null }> {
    if (!this.registrationOpen) throw new RegistrationClosedException();
    // argon2id first: no connection is held while it computes.
    const account = await this.users.newAccount(input.email, input.password, input.name);
    // The account and its first session exist together or not at all: a failed session leaves
    // no account behind that a retry would find taken. With AUTH_EMAIL_VERIFICATION=required no
    // session is opened until the email is verified.
    const { user, session } = await this.transactions.run(async (transaction) => {
      const user = await this.users.insert(account, transaction);
      const signIn = this.verification.allowsSignIn(user);
      return { user, session: signIn ? await this.sessions.open(user.id, origin, transaction) : null };
    });
    // After the commit: the link row refers to the account.
    await this.verification.onRegistered(user);
    if (!this.verification.allowsSignIn(user)) return { user, tokens: null };
    // Only an admin acting on the new account within the same instant makes this null.
    if (!session) throw new AccountDisabledException();
    return { user, tokens: this.tokens.issue(session) };
  }

  /** Counted by result: `success`, or the code of the problem that refused it (e.g. `account_disabled`). */
  async login(input: LoginDto, origin: ClientContext): Promise<TokenPair> {
    try {
      const tokens = await this.signIn(input, origin);
      this.metrics.login('success');
      return tokens;
    } catch (error) {
      if (error instanceof AppException) this.metrics.login(error.code);
      throw error;
    }
  }

  /**
   * Same answer and the same argon2id cost for an unknown email and a wrong password. A disabled
   * account is only told so after its correct password, so the 403 reveals nothing to a guesser.
   */
  private async signIn(input: LoginDto, origin: ClientContext): Promise<TokenPair> {
    const { user, known } = await this.users.verifyCredentials(input.email, input.password);
    if (!user || user.disabledAt) {
      await this.sessions.recordLoginFailed(known?.id ?? null, origin);
      throw user ? new AccountDisabledException() : new InvalidCredentialsException();
    }
    if (!this.verification.allowsSignIn(user)) {
      await this.verification.onSignInRefused(user);
      throw new EmailNotVerifiedException();
    }
    const session = await this.sessions.open(user.id, origin);
    if (!session) throw new AccountDisabledException();
    return this.tokens.issue(session);
  }

  async refresh(principal: RefreshPrincipal, origin: ClientContext): Promise<TokenPair> {
    if (this.verification.mode === 'required') {
      // Sessions opened before the switch to `required`: checked before rotating, so the
      // presented token is not spent by a refusal. A deleted account falls through to `inactive`.
      const user = await this.users.findById(principal.userId);
      if (user && !this.verification.allowsSignIn(user)) throw new EmailNotVerifiedException();
    }
    const result = await this.sessions.rotate(principal.sessionId, principal.userId, principal.generation, origin);
    this.metrics.refresh(REFRESH_RESULTS[result.outcome]);
    switch (result.outcome) {
      case 'rotated':
      case 'replayed':
        return this.tokens.issue(result.session);
      case 'reused':
        throw new RefreshTokenReusedException();
      case 'inactive':
        throw new SessionRevokedException('refresh');
      case 'invalid':
        throw new TokenInvalidException('refresh');
    }
  }

  logout(principal: RefreshPrincipal, origin: ClientContext): Promise<void> {
    return this.sessions.close(principal.sessionId, principal.userId, origin);
  }
}
