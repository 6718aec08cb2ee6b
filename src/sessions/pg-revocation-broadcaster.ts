import type { DatabaseNotifications, Listening } from '../database/database-notifications.js';
import {
  fromPayload,
  REVOCATION_CHANNEL,
  RevocationBroadcaster,
  toPayloads,
  type RevocationSubscriber,
} from './revocation-broadcaster.js';

/** PostgreSQL LISTEN/NOTIFY through the database layer, which owns the listening connection. */
export class PgRevocationBroadcaster extends RevocationBroadcaster {
  private listening?: Listening;

  constructor(private readonly notifications: DatabaseNotifications) {
    super();
  }

  async publish(sessionIds: string[]): Promise<void> {
    for (const payload of toPayloads(sessionIds)) await this.notifications.notify(REVOCATION_CHANNEL, payload);
  }

  async subscribe(subscriber: RevocationSubscriber): Promise<void> {
    this.listening = await this.notifications.listen(REVOCATION_CHANNEL, {
      onNotification: (payload) => subscriber.onRevoked(fromPayload(payload)),
      onConnected: () => subscriber.onConnected(),
    });
  }

  async close(): Promise<void> {
    await this.listening?.close();
  }
}
