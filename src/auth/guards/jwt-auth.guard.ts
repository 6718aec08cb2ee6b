import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { IS_PUBLIC } from '../../common/auth/public.decorator.js';
import type { AuthenticatedUser } from '../../common/auth/principal.js';
import { RouteMetadata } from '../../common/auth/route-metadata.js';
import { authenticationFailure } from '../token-verifier.js';
import { runStrategy } from './run-strategy.js';

/** Global guard: every route needs an access token (strategy `jwt`) unless it is marked `@Public()`. */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly isPublic: RouteMetadata<boolean>;

  constructor(reflector: Reflector) {
    this.isPublic = new RouteMetadata(reflector, IS_PUBLIC);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.isPublic.of(context)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthenticatedUser }>();
    const { user, info, error } = await runStrategy<AuthenticatedUser>('jwt', request);
    if (error || !user) throw authenticationFailure('access', error, info);
    request.user = user;
    return true;
  }
}
