import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { Redis, RedisOptions } from 'ioredis';
import type { AllConfig } from '../config/config.types.js';

/**
 * Application events for an outage of Redis and its end, published once each (a metrics module
 * counts them: `@OnEvent(REDIS_UNAVAILABLE)`).
 */
export const REDIS_UNAVAILABLE = 'redis.unavailable';
export const REDIS_AVAILABLE = 'redis.available';

/**
 * Redis is a helper, never something a request waits on: while disconnected a command fails at
 * once (no offline queue, no retry per request) and the caller takes its fallback; a server that
 * accepts but does not answer is given up after COMMAND_TIMEOUT_MS. Reconnection runs in the
 * background, at most a second apart.
 */
const COMMAND_TIMEOUT_MS = 250;
const FAIL_FAST: RedisOptions = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  connectTimeout: 2000,
  commandTimeout: COMMAND_TIMEOUT_MS,
  retryStrategy: (attempt: number) => Math.min(attempt * 100, 1000),
};

/**
 * Every Redis connection of the process (rate-limit counters, revocation publisher and
 * subscriber), created with the fail-fast options above, and the one place that tells whether
 * Redis is usable: one warning and one REDIS_UNAVAILABLE event per outage, whichever connection
 * noticed first, and one REDIS_AVAILABLE when every connection is back.
 */
@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  private readonly logger = new Logger('Redis');
  private readonly url?: string;
  private readonly connections = new Set<Redis>();
  private unavailableSince?: number;
  private closing = false;

  constructor(
    config: ConfigService<AllConfig, true>,
    private readonly events: EventEmitter2,
  ) {
    this.url = config.get('redis.url', { infer: true });
  }

  get configured(): boolean {
    return this.url !== undefined;
  }

  /** A new connection (ioredis is loaded only when REDIS_URL is set: it costs memory). */
  async open(name: string, options: RedisOptions = {}): Promise<Redis> {
    if (!this.url) throw new Error('REDIS_URL is not set');
    const { Redis: RedisClient } = await import('ioredis');
    const connection = new RedisClient(this.url, { ...FAIL_FAST, connectionName: `auth-service-${name}`, ...options });
    this.connections.add(connection);
    connection.on('ready', () => this.update());
    connection.on('close', () => this.update(connection.status === 'end' ? undefined : 'connection closed'));
    // Every failed reconnection emits one; the outage is reported once by update().
    connection.on('error', (error: Error) => this.update(error.message));
    connection.connect().catch((error: unknown) => this.update(String(error)));
    return connection;
  }

  /** Whether `connection` can take a command now; false means: use the fallback, do not wait. */
  usable(connection: Redis): boolean {
    return connection.status === 'ready';
  }

  /**
   * A command failed on a connection that looked usable: a timeout means a server that no longer
   * answers, so the connection is dropped and re-established instead of making the next caller wait.
   */
  failed(connection: Redis, error: unknown): void {
    if (/timed out/i.test(String(error)) && connection.status === 'ready') connection.disconnect(true);
    this.update(String(error));
  }

  /** For /health/ready: since when Redis has been unusable, or undefined when it is fine (or not configured). */
  get outageSince(): number | undefined {
    return this.unavailableSince;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    for (const connection of this.connections) {
      await connection.quit().catch(() => connection.disconnect());
    }
  }

  private update(reason?: string): void {
    if (this.closing) return;
    const open = [...this.connections].filter((connection) => connection.status !== 'end');
    const down = open.some((connection) => connection.status !== 'ready');
    if (down && this.unavailableSince === undefined && reason) {
      this.unavailableSince = Date.now();
      this.logger.warn(
        `Redis is unavailable (${reason}): rate limits fall back to per-instance counters and revocation to the database resync until it returns`,
      );
      this.events.emit(REDIS_UNAVAILABLE, { reason });
    } else if (!down && this.unavailableSince !== undefined) {
      const seconds = Math.round((Date.now() - this.unavailableSince) / 1000);
      this.unavailableSince = undefined;
      this.logger.log(`Redis is available again after ${seconds} s: back to shared counters and the Redis broadcast`);
      this.events.emit(REDIS_AVAILABLE, { downSeconds: seconds });
    }
  }
}
