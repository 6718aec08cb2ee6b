import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IS_PUBLIC } from '../../common/auth/public.decorator.js';
import { RouteMetadata } from '../../common/auth/route-metadata.js';
import { authenticate } from './run-strategy.js';

/** Global guard: every route needs an access token (strategy `jwt`) unless it is marked `@Public()`. */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly isPublic: RouteMetadata<boolean>;

  constructor(reflector: Reflector) {
    this.isPublic = new RouteMetadata(reflector, IS_PUBLIC);
  }

  /**
   * A public route passes synchronously: Nest awaits only a guard that returns a promise.
   * Performance workaround for the `refresh` benchmark scenario (README, Performance).
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    return this.isPublic.of(context) === true || authenticate(context, 'jwt', 'access');
  }
}
