import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { RedisConnections } from '../redis/redis-connections.js';

/** Redis is a helper: while it is unavailable the service is `degraded` (still 200), never down. */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly redis: RedisConnections,
    private readonly indicator: HealthIndicatorService,
  ) {}

  get configured(): boolean {
    return this.redis.configured;
  }

  check(key: string) {
    const check = this.indicator.check(key);
    const since = this.redis.outageSince;
    if (since === undefined) return check.up();
    return check.degraded({
      message: 'Redis is unavailable: rate limits are per instance, revocation goes through the database resync',
      since: new Date(since).toISOString(),
    });
  }
}
