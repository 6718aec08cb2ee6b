import type { ThrottlerModuleOptions } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import type { AuthConfig } from '../config/config.types.js';

/**
 * Two windows on the auth routes (AuthThrottlerGuard):
 * - `account`: attempts per (IP, email): THROTTLE_LOGIN_LIMIT per THROTTLE_LOGIN_TTL;
 * - `ip`: all attempts per IP, five times that (many users can share an address).
 * Counters live in memory, per instance; see README "Scaling".
 */
export function authThrottling(auth: AuthConfig): ThrottlerModuleOptions {
  const ttl = auth.loginTtlSeconds * 1000;
  return {
    skipIf: () => !auth.throttleEnabled,
    throttlers: [
      { name: 'ip', ttl, limit: auth.loginLimit * 5, getTracker: (request: Record<string, unknown>) => ipOf(request) },
      {
        name: 'account',
        ttl,
        limit: auth.loginLimit,
        getTracker: (request: Record<string, unknown>) => {
          const email = (request.body as { email?: unknown } | undefined)?.email;
          return `${ipOf(request)}|${typeof email === 'string' ? email.trim().toLowerCase() : ''}`;
        },
      },
    ],
  };
}

const ipOf = (request: Record<string, unknown>) => (request as unknown as FastifyRequest).ip;
