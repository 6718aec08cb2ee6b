import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import {
  fromPayload,
  REVOCATION_CHANNEL,
  RevocationBroadcaster,
  toPayloads,
  type RevocationSubscriber,
} from './revocation-broadcaster.js';

/** Redis pub/sub, for databases or poolers without LISTEN (CockroachDB, PgBouncer in transaction mode). */
export class RedisRevocationBroadcaster extends RevocationBroadcaster {
  private readonly logger = new Logger(RedisRevocationBroadcaster.name);
  private readonly publisher: Redis;
  private readonly subscriber: Redis;

  constructor(url: string) {
    super();
    this.publisher = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    this.subscriber = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: null });
    for (const connection of [this.publisher, this.subscriber]) {
      connection.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
    }
  }

  async publish(sessionIds: string[]): Promise<void> {
    for (const payload of toPayloads(sessionIds)) await this.publisher.publish(REVOCATION_CHANNEL, payload);
  }

  async subscribe(subscriber: RevocationSubscriber): Promise<void> {
    this.subscriber.on('message', (_channel: string, message: string) => subscriber.onRevoked(fromPayload(message)));
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    await this.subscriber.subscribe(REVOCATION_CHANNEL);
    await subscriber.onConnected();
    // ioredis reconnects and resubscribes by itself; 'ready' follows each reconnection: resync.
    this.subscriber.on('ready', () => {
      subscriber.onConnected().catch((error: unknown) => this.logger.error(`Resync failed: ${String(error)}`));
    });
  }

  async close(): Promise<void> {
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }
}
