import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { authenticationFailure } from '../token-verifier.js';
import type { RefreshPrincipal } from '../types/token-claims.js';
import { runStrategy } from './run-strategy.js';

/** Authenticates refresh and logout with the refresh token (strategy `jwt-refresh`: body or cookie, RefreshTokenTransport). */
@Injectable()
export class JwtRefreshGuard implements CanActivate {
  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: RefreshPrincipal }>();
    const { user, info, error } = await runStrategy<RefreshPrincipal>('jwt-refresh', request);
    if (error || !user) throw authenticationFailure('refresh', error, info);
    request.user = user;
    return true;
  }
}
