import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ForbiddenException } from '../../common/app.exception.js';
import type { AuthenticatedUser } from '../../common/auth/principal.js';
import { ROLES_KEY } from '../../common/auth/roles.decorator.js';
import type { Role } from '../../common/auth/role.js';

/** Runs after JwtAuthGuard: a route with `@Roles(...)` needs one of them (roles come from the token). */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (!required?.length) return true;
    const user = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthenticatedUser }>().user;
    if (user && required.some((role) => user.roles.includes(role))) return true;
    throw new ForbiddenException();
  }
}
