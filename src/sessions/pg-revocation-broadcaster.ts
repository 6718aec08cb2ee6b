import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import {
  fromPayload,
  REVOCATION_CHANNEL,
  RevocationBroadcaster,
  toPayloads,
  type RevocationSubscriber,
} from './revocation-broadcaster.js';

const HEARTBEAT_MS = 30_000;
const MAX_BACKOFF_MS = 5_000;

/**
 * LISTEN/NOTIFY on a dedicated, direct connection (DATABASE_LISTEN_URL): a transaction-pooling
 * proxy would silently drop LISTEN. Reconnects with backoff and tells the subscriber to resync.
 */
export class PgRevocationBroadcaster extends RevocationBroadcaster {
  private readonly logger = new Logger(PgRevocationBroadcaster.name);
  private client?: pg.Client;
  private heartbeat?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly db: DataSource,
    private readonly listenUrl: string,
  ) {
    super();
  }

  async publish(sessionIds: string[]): Promise<void> {
    for (const payload of toPayloads(sessionIds)) {
      await this.db.query('SELECT pg_notify($1, $2)', [REVOCATION_CHANNEL, payload]);
    }
  }

  async subscribe(subscriber: RevocationSubscriber): Promise<void> {
    await this.connect(subscriber, 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(subscriber: RevocationSubscriber, attempt: number): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.listenUrl, keepAlive: true, application_name: 'auth-service-listener' });
    client.on('notification', (message) => subscriber.onRevoked(fromPayload(message.payload)));
    client.on('error', (error) => this.reconnect(subscriber, client, error, attempt));
    client.on('end', () => this.reconnect(subscriber, client, undefined, attempt));
    try {
      await client.connect();
      await client.query(`LISTEN ${REVOCATION_CHANNEL}`);
      this.client = client;
      attempt = 0;
      await subscriber.onConnected();
      clearInterval(this.heartbeat);
      // A connection a NAT or proxy dropped silently only shows up when used.
      this.heartbeat = setInterval(() => {
        client.query('SELECT 1').catch((error: unknown) => this.reconnect(subscriber, client, error, 0));
      }, HEARTBEAT_MS).unref();
    } catch (error) {
      if (attempt === 0 && !this.client) throw error; // first connection at start-up: fail loudly
      this.reconnect(subscriber, client, error, attempt);
    }
  }

  private reconnect(subscriber: RevocationSubscriber, client: pg.Client, error: unknown, attempt: number): void {
    if (this.closed || this.retry || (this.client && this.client !== client)) return;
    this.client = undefined;
    clearInterval(this.heartbeat);
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempt);
    this.logger.warn(`Revocation listener lost its connection (${String(error ?? 'closed')}); reconnecting in ${delay} ms`);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect(subscriber, attempt + 1);
    }, delay);
    this.retry.unref();
  }
}
