import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ClientContext } from '../common/client-context.decorator.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { AllConfig } from '../config/config.types.js';
import { Transactions } from '../database/transactions.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { InvalidCredentialsException, RefreshTokenReusedException, RegistrationClosedException } from './auth.exceptions.js';
import { SessionRevokedException, TokenInvalidException } from '../common/auth/token.exceptions.js';
import type { LoginDto } from './dto/login.dto.js';
import type { RegisterDto } from './dto/register.dto.js';
import { TokensService, type TokenPair } from './tokens.service.js';
import type { RefreshPrincipal } from './types/token-claims.js';

/** Sign-up, sign-in and token refresh: users and sessions in, token pairs out. */
@Injectable()
export class AuthService {
  private readonly registrationOpen: boolean;

  constructor(
    config: ConfigService<AllConfig, true>,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly tokens: TokensService,
    private readonly transactions: Transactions,
  ) {
    this.registrationOpen = config.get('auth.registrationOpen', { infer: true });
  }

  async register(input: RegisterDto, origin: ClientContext): Promise<{ user: User; tokens: TokenPair }> {
    if (!this.registrationOpen) throw new RegistrationClosedException();
    // argon2id first: no connection is held while it computes.
    const account = await this.users.newAccount(input.email, input.password, input.name);
    // The account and its first session exist together or not at all: a failed session leaves
    // no account behind that a retry would find taken.
    const { user, session } = await this.transactions.run(async () => {
      const user = await this.users.insert(account);
      return { user, session: await this.sessions.open(user.id, origin) };
    });
    return { user, tokens: this.tokens.issue(session) };
  }

  /** Same answer and the same argon2id cost for an unknown email and a wrong password. */
  async login(input: LoginDto, origin: ClientContext): Promise<TokenPair> {
    const { user, known } = await this.users.verifyCredentials(input.email, input.password);
    if (!user) {
      await this.sessions.recordLoginFailed(known?.id ?? null, origin);
      throw new InvalidCredentialsException();
    }
    return this.tokens.issue(await this.sessions.open(user.id, origin));
  }

  async refresh(principal: RefreshPrincipal, origin: ClientContext): Promise<TokenPair> {
    const result = await this.sessions.rotate(principal.sessionId, principal.userId, principal.generation, origin);
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
