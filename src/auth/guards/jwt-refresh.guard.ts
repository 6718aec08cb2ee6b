import { Injectable, type ExecutionContext } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { AppException } from '../../common/app.exception.js';
import { CookieNeedsJsonException, TokenInvalidException, TokenMissingException } from '../auth.exceptions.js';
import { RefreshTokenTransport } from '../refresh-token.transport.js';
import type { RefreshPrincipal } from '../types/token-claims.js';

const isJson = (contentType: string | undefined) => /^application\/json\s*(;|$)/i.test(contentType ?? '');

/**
 * Authenticates refresh and logout with the refresh token (body or cookie). A cookie-borne token
 * counts only on an application/json request, which a cross-site HTML form cannot send (CSRF).
 */
@Injectable()
export class JwtRefreshGuard extends AuthGuard('jwt-refresh') {
  constructor(private readonly transport: RefreshTokenTransport) {
    super();
  }

  override handleRequest<T = RefreshPrincipal>(error: unknown, principal: T | false, _info: unknown, context: ExecutionContext): T {
    if (error instanceof AppException) throw error;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (error || !principal) {
      throw this.transport.extract(request) ? new TokenInvalidException('refresh') : new TokenMissingException('refresh');
    }
    if ((principal as unknown as RefreshPrincipal).source === 'cookie' && !isJson(request.headers['content-type'])) {
      throw new CookieNeedsJsonException();
    }
    return principal;
  }
}
