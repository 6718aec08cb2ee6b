import { Module } from '@nestjs/common';
import type { ThrottlerModuleOptions } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import type { AuthConfig } from '../config/config.types.js';
import { RedisConnections } from '../redis/redis-connections.js';
import type { RedisThrottlerStorage } from './redis-throttler.storage.js';

export const RATE_LIMIT_STORAGE = Symbol('RATE_LIMIT_STORAGE');

/** Redis counters when REDIS_URL is set (shared by all instances), else null: in-memory ones. */
@Module({
  providers: [
    {
      provide: RATE_LIMIT_STORAGE,
      inject: [RedisConnections],
      useFactory: async (redis: RedisConnections): Promise<RedisThrottlerStorage | null> => {
        if (!redis.configured) return null;
        const { RedisThrottlerStorage: Storage } = await import('./redis-throttler.storage.js');
        return Storage.open(redis);
      },
    },
  ],
  exports: [RATE_LIMIT_STORAGE],
})
export class RateLimitStorageModule {}

/** Refresh and logout requests per IP and minute: a flood guard, not a password-guessing one. */
export const REFRESH_LIMIT_PER_MINUTE = 600;

/**
 * The windows of AuthThrottlerGuard. Register and login:
 * - `account`: attempts per (IP, email): THROTTLE_LOGIN_LIMIT per THROTTLE_LOGIN_TTL;
 * - `ip`: all attempts per IP, five times that (many users can share an address).
 * Refresh and logout (`@SkipThrottle(CREDENTIAL_WINDOWS)`): `refresh`, per IP, generous, since
 * a signed token cannot be guessed and every user behind one NAT refreshes.
 * Behind a reverse proxy set TRUST_PROXY=true, or every client shares the proxy's address.
 * Counters live in Redis with REDIS_URL, else in memory per instance (README "Scaling").
 */
export function authThrottling(auth: AuthConfig): ThrottlerModuleOptions {
  const ttl = auth.loginTtlSeconds * 1000;
  return {
    skipIf: () => !auth.throttleEnabled,
    throttlers: [
      { name: 'ip', ttl, limit: auth.loginLimit * 5, getTracker: (request: Record<string, unknown>) => ipOf(request) },
      { name: 'refresh', ttl: 60_000, limit: REFRESH_LIMIT_PER_MINUTE, getTracker: (request: Record<string, unknown>) => ipOf(request) },
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

/** For `@SkipThrottle(...)`: refresh/logout skip the credential windows, login/register the refresh one. */
export const CREDENTIAL_WINDOWS = { ip: true, account: true } as const;
export const REFRESH_WINDOW = { refresh: true } as const;

const ipOf = (request: Record<string, unknown>) => (request as unknown as FastifyRequest).ip;
