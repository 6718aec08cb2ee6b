import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import type { Redis } from 'ioredis';
import type { RedisConnections } from '../redis/redis-connections.js';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * One atomic round trip: count the hit in a fixed window (created with the window's TTL on the
 * first hit), and once past the limit mark the key blocked for the block duration.
 * Returns { hits, windowMsLeft, blocked (0/1), blockMsLeft }.
 */
const INCREMENT = `
local blockedFor = redis.call('PTTL', KEYS[2])
if blockedFor > 0 then
  return { tonumber(redis.call('GET', KEYS[1]) or '0'), redis.call('PTTL', KEYS[1]), 1, blockedFor }
end
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local windowLeft = redis.call('PTTL', KEYS[1])
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return { hits, windowLeft, 1, tonumber(ARGV[3]) }
end
return { hits, windowLeft, 0, 0 }
`;

type ThrottleRedis = Redis & { throttleIncrement(...args: (string | number)[]): Promise<number[]> };

/**
 * Rate-limit counters in Redis (REDIS_URL), shared by every instance, instead of per-process
 * memory. Written against @nestjs/throttler's ThrottlerStorage interface:
 * @nest-lab/throttler-storage-redis does not accept Nest 12 in its peer range.
 * While Redis is unavailable the counters are this instance's own (API.md "Operations"): a
 * request never waits for Redis, and the limits still hold per instance.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly local = new ThrottlerStorageService();

  private constructor(
    private readonly redis: ThrottleRedis,
    private readonly connections: RedisConnections,
  ) {}

  static async open(connections: RedisConnections): Promise<RedisThrottlerStorage> {
    const redis = await connections.open('throttler');
    redis.defineCommand('throttleIncrement', { numberOfKeys: 2, lua: INCREMENT });
    return new RedisThrottlerStorage(redis as ThrottleRedis, connections);
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    if (!this.connections.usable(this.redis)) return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    const base = `throttle:${throttlerName}:${key}`;
    let reply: number[];
    try {
      reply = await this.redis.throttleIncrement(`${base}:hits`, `${base}:blocked`, ttl, limit, blockDuration || ttl);
    } catch (error) {
      this.connections.failed(this.redis, error);
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
    const [hits, windowLeft, blocked, blockLeft] = reply;
    return {
      totalHits: hits,
      timeToExpire: Math.max(0, Math.ceil(windowLeft / 1000)),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.max(0, Math.ceil(blockLeft / 1000)),
    };
  }

  onApplicationShutdown(): void {
    this.local.onApplicationShutdown();
  }
}
