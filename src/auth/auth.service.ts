import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ClientContext } from '../common/client-context.decorator.js';
import { SessionsService } from '../sessions/sessions.service.js';
import type { AllConfig } from '../config/config.types.js';
import type { User } from '../users/entities/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { AccountDisabledException, InvalidCredentialsException, RefreshTokenReusedException, RegistrationClosedException } from './auth.exceptions.js';
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
  ) {
    this.registrationOpen = config.get('auth.registrationOpen', { infer: true });
  }

  async register(input: RegisterDto, origin: ClientContext): Promise<{ user: User; tokens: TokenPair }> {
    if (!this.registrationOpen) throw new RegistrationClosedException();
    const user = await this.users.create(input.email, input.password, input.name);
    const session = await this.sessions.open(user.id, origin);
    // Only an admin acting on the new account within the same instant makes this null.
    if (!session) throw new AccountDisabledException();
    return { user, tokens: this.tokens.issue(session) };
  }

  /**
   * Same answer and the same argon2id cost for an unknown email and a wrong password. A disabled
   * account is only told so after its correct password, so the 403 reveals nothing to a guesser.
   */
  async login(input: LoginDto, origin: ClientContext): Promise<TokenPair> {
    const { user, known } = await this.users.verifyCredentials(input.email, input.password);
    if (!user || user.disabledAt) {
      await this.sessions.recordLoginFailed(known?.id ?? null, origin);
      throw user ? new AccountDisabledException() : new InvalidCredentialsException();
    }
    const session = await this.sessions.open(user.id, origin);
    if (!session) throw new AccountDisabledException();
    return this.tokens.issue(session);
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
