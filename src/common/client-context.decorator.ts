import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Where a request comes from: recorded on sessions and security events, from HTTP or the CLI. */
export interface ClientContext {
  ip: string | null;
  userAgent: string | null;
}

/** Where a request comes from, for sessions and security events (`ip` honours TRUST_PROXY). */
export const Client = createParamDecorator((_data: unknown, context: ExecutionContext): ClientContext => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  return clientContextOf(request);
});

export function clientContextOf(request: FastifyRequest): ClientContext {
  const userAgent = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: userAgent ? userAgent.slice(0, 512) : null };
}
