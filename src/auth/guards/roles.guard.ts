import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ForbiddenException } from '../../common/app.exception.js';
import type { AuthenticatedUser } from '../../common/auth/principal.js';
import { ROLES_KEY } from '../../common/auth/roles.decorator.js';
import type { Role } from '../../common/auth/role.js';
import { RouteMetadata } from '../../common/auth/route-metadata.js';

/** Runs after JwtAuthGuard: a route with `@Roles(...)` needs one of them (roles come from the token). */
@Injectable()
export class RolesGuard implements CanActivate {
  private readonly requiredRoles: RouteMetadata<Role[]>;

  constructor(reflector: Reflector) {
    this.requiredRoles = new RouteMetadata(reflector, ROLES_KEY);
  }

  canActivate(context: ExecutionContext): boolean {
    const required = this.requiredRoles.of(context);
    if (!required?.length) return true;
    const user = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthenticatedUser }>().user;
    if (user && required.some((role) => user.roles.includes(role))) return true;
    throw new ForbiddenException();
  }
}
