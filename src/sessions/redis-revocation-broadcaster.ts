import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { RedisConnections } from '../redis/redis-connections.js';
import {
  fromPayload,
  REVOCATION_CHANNEL,
  RevocationBroadcaster,
  toPayloads,
  type RevocationSubscriber,
} from './revocation-broadcaster.js';

/**
 * Redis pub/sub, for databases or poolers without LISTEN (CockroachDB, PgBouncer in transaction
 * mode). While Redis is unavailable nothing is published (RedisConnections reports the outage
 * once); every instance resynchronises from the sessions table when its subscriber reconnects,
 * and once a minute meanwhile.
 */
export class RedisRevocationBroadcaster extends RevocationBroadcaster {
  private readonly logger = new Logger(RedisRevocationBroadcaster.name);
  private publisher?: Redis;
  private subscriber?: Redis;

  constructor(private readonly connections: RedisConnections) {
    super();
  }

  async publish(sessionIds: string[]): Promise<void> {
    const publisher = this.publisher;
    if (!publisher || !this.connections.usable(publisher)) return;
    try {
      for (const payload of toPayloads(sessionIds)) await publisher.publish(REVOCATION_CHANNEL, payload);
    } catch (error) {
      this.connections.failed(publisher, error);
    }
  }

  async subscribe(subscriber: RevocationSubscriber): Promise<void> {
    this.publisher = await this.connections.open('publisher');
    // A subscriber connection needs its commands (SUBSCRIBE) replayed on every reconnection.
    this.subscriber = await this.connections.open('subscriber', { autoResubscribe: true });
    this.subscriber.on('message', (_channel: string, message: string) => subscriber.onRevoked(fromPayload(message)));
    // 'ready' follows the first connection and each reconnection: subscribe, then resync what
    // may have been missed. Until the first one the table is the source (resync below).
    let subscribed = false;
    this.subscriber.on('ready', () => {
      const ready = subscribed ? Promise.resolve() : this.subscriber!.subscribe(REVOCATION_CHANNEL).then(() => void (subscribed = true));
      ready
        .then(() => subscriber.onConnected())
        .catch((error: unknown) => this.logger.warn(`Redis resubscription or resync failed: ${String(error)}`));
    });
    await subscriber.onConnected();
  }

  async close(): Promise<void> {
    // RedisConnections closes the connections at shutdown.
  }
}
