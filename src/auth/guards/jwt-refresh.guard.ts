import { Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { authenticationFailure } from '../token-verifier.js';
import type { RefreshPrincipal } from '../types/token-claims.js';

/** Authenticates refresh and logout with the refresh token (body or cookie, RefreshTokenTransport). */
@Injectable()
export class JwtRefreshGuard extends AuthGuard('jwt-refresh') {
  override handleRequest<T = RefreshPrincipal>(error: unknown, principal: T | false, info: unknown): T {
    if (error || !principal) throw authenticationFailure('refresh', error, info);
    return principal;
  }
}
