import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { IS_PUBLIC } from '../../common/auth/public.decorator.js';
import { AppException } from '../../common/app.exception.js';
import type { AuthenticatedUser } from '../../common/auth/principal.js';
import { TokenInvalidException, TokenMissingException } from '../auth.exceptions.js';
import { bearerToken } from '../strategies/jwt.strategy.js';

/** Global guard: every route needs an access token unless it is marked `@Public()`. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    return isPublic ? true : super.canActivate(context);
  }

  override handleRequest<T = AuthenticatedUser>(error: unknown, user: T | false, _info: unknown, context: ExecutionContext): T {
    if (error instanceof AppException) throw error;
    if (error || !user) {
      const request = context.switchToHttp().getRequest<FastifyRequest>();
      throw bearerToken(request as never) ? new TokenInvalidException('access') : new TokenMissingException('access');
    }
    return user;
  }
}
