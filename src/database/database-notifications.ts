import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import type { AllConfig } from '../config/config.types.js';

const HEARTBEAT_MS = 30_000;
const MAX_BACKOFF_MS = 5_000;

export interface NotificationHandler {
  onNotification(payload: string | undefined): void;
  /** Called after every (re)connection: notifications may have been lost meanwhile. */
  onConnected(): Promise<void>;
}

export interface Listening {
  close(): Promise<void>;
}

/**
 * PostgreSQL NOTIFY on the application's pool, LISTEN on a dedicated direct connection
 * (DATABASE_LISTEN_URL): a transaction-pooling proxy would silently drop LISTEN.
 */
@Injectable()
export class DatabaseNotifications {
  private readonly listenUrl: string;

  constructor(@InjectDataSource() private readonly db: DataSource, config: ConfigService<AllConfig, true>) {
    // Without DATABASE_URL the pool's URL is the embedded cluster's, known only once it started.
    this.listenUrl = config.get('database.listenUrl', { infer: true }) ?? (db.options as { url: string }).url;
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.db.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  /** Resolves once listening; the first connection failing rejects, later losses reconnect with backoff. */
  async listen(channel: string, handler: NotificationHandler): Promise<Listening> {
    const listener = new Listener(this.listenUrl, channel, handler);
    await listener.connect(0);
    return listener;
  }
}

class Listener implements Listening {
  private readonly logger = new Logger(DatabaseNotifications.name);
  private client?: pg.Client;
  private heartbeat?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly handler: NotificationHandler,
  ) {}

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }

  async connect(attempt: number): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url, keepAlive: true, application_name: 'auth-service-listener' });
    client.on('notification', (message) => this.handler.onNotification(message.payload));
    client.on('error', (error) => this.reconnect(client, error, attempt));
    client.on('end', () => this.reconnect(client, undefined, attempt));
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.channel)}`);
      this.client = client;
      attempt = 0;
      await this.handler.onConnected();
      clearInterval(this.heartbeat);
      // A connection a NAT or proxy dropped silently only shows up when used.
      this.heartbeat = setInterval(() => {
        client.query('SELECT 1').catch((error: unknown) => this.reconnect(client, error, 0));
      }, HEARTBEAT_MS).unref();
    } catch (error) {
      if (attempt === 0 && !this.client) throw error; // first connection at start-up: fail loudly
      this.reconnect(client, error, attempt);
    }
  }

  private reconnect(client: pg.Client, error: unknown, attempt: number): void {
    if (this.closed || this.retry || (this.client && this.client !== client)) return;
    this.client = undefined;
    clearInterval(this.heartbeat);
    client.removeAllListeners('end');
    client.end().catch(() => undefined);
    const delay = Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempt);
    this.logger.warn(`Listener on ${this.channel} lost its connection (${String(error ?? 'closed')}); reconnecting in ${delay} ms`);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect(attempt + 1);
    }, delay);
    this.retry.unref();
  }
}
