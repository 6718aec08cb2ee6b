import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { RefreshPrincipal as Principal } from '../types/token-claims.js';

/** The holder of the refresh token verified by JwtRefreshGuard. */
export const RefreshPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest<FastifyRequest & { user: Principal }>().user,
);
