import { applyDecorators, Inject, Injectable, SetMetadata, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Reflector } from '@nestjs/core';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { createHash } from 'node:crypto';
import { RateLimitedException } from '../common/app.exception.js';
import type { AuthenticatedUser } from '../common/auth/principal.js';
import type { AllConfig } from '../config/config.types.js';

const HOUR_MS = 3_600_000;
type Request = FastifyRequest & { user?: AuthenticatedUser };

/** Counters keep no address in clear (they may live in Redis). */
const digest = (value: string) => createHash('sha256').update(value).digest('base64url').slice(0, 22);
const emailOf = (request: Request) => {
  const email = (request.body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' ? email.trim().toLowerCase() : '';
};

interface Window {
  name: string;
  limit: number;
  key(request: Request): string;
}

/** API.md "Limits": per hour, on whatever the request is about. */
const LIMITS = {
  forgot: [
    { name: 'forgot-email', limit: 5, key: (request) => digest(emailOf(request)) },
    { name: 'forgot-ip', limit: 20, key: (request) => request.ip },
  ],
  resend: [{ name: 'verification-resend', limit: 5, key: (request) => request.user?.id ?? request.ip }],
} satisfies Record<string, Window[]>;

export type LinkLimit = keyof typeof LIMITS;
const LINK_LIMIT = 'linkRateLimit';

/**
 * Hourly limits of the routes that send mail, counted in the rate-limit storage of the login
 * limits (Redis with REDIS_URL, else memory). Every window counts every request, so a limited
 * request answers 429 whatever else it carries; THROTTLE_ENABLED=false turns them off.
 */
@Injectable()
export class LinkRateLimitGuard implements CanActivate {
  private readonly enabled: boolean;

  constructor(
    config: ConfigService<AllConfig, true>,
    private readonly reflector: Reflector,
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
  ) {
    this.enabled = config.get('auth.throttleEnabled', { infer: true });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const limit = this.reflector.get<LinkLimit | undefined>(LINK_LIMIT, context.getHandler());
    if (!this.enabled || !limit) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const windows: Window[] = LIMITS[limit];
    const records = await Promise.all(
      windows.map((window) => this.storage.increment(window.key(request), HOUR_MS, window.limit, HOUR_MS, window.name)),
    );
    const blocked = records.filter((record) => record.isBlocked);
    if (blocked.length > 0) throw new RateLimitedException(Math.max(...blocked.map((record) => record.timeToBlockExpire)));
    return true;
  }
}

/** Applies the named hourly limits to a route. */
export const LinkRateLimit = (limit: LinkLimit) => applyDecorators(SetMetadata(LINK_LIMIT, limit), UseGuards(LinkRateLimitGuard));
