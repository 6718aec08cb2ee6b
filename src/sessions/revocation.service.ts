import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../config/config.types.js';
import { RevocationBroadcaster } from './revocation-broadcaster.js';
import { SessionsRepository } from './sessions.repository.js';

/**
 * Housekeeping period: forget entries whose access tokens have all expired, and resync from the
 * table, which bounds how long a lost broadcast (a crash between commit and publish, a
 * publish that failed) can go unnoticed without a reconnection.
 */
const MAINTAIN_EVERY_MS = 60_000;

/**
 * This instance's view of revoked sessions whose access tokens may still be alive, so the access
 * guard refuses them with a map lookup instead of a database read. Fed by the broadcaster,
 * resynchronised from the sessions table at start, after every reconnection and every minute. An entry is
 * forgotten once every access token of its session has expired (access TTL + clock tolerance).
 */
@Injectable()
export class RevocationService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RevocationService.name);
  private readonly revoked = new Map<string, number>();
  private readonly enabled: boolean;
  private readonly retentionSeconds: number;
  private maintenanceTimer?: NodeJS.Timeout;

  constructor(
    config: ConfigService<AllConfig, true>,
    private readonly sessions: SessionsRepository,
    @Inject(RevocationBroadcaster) private readonly broadcaster: RevocationBroadcaster,
  ) {
    const jwt = config.get('jwt', { infer: true });
    this.enabled = config.get('session.accessTokenRevocation', { infer: true });
    this.retentionSeconds = jwt.accessTtlSeconds + jwt.clockToleranceSeconds + 1;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    // Subscribe (which resyncs) before the server listens, so no revoked token slips through.
    await this.broadcaster.subscribe({
      onRevoked: (ids) => this.remember(ids, Date.now()),
      onConnected: () => this.resync(),
    });
    this.maintenanceTimer = setInterval(() => {
      this.prune();
      this.resync(false).catch((error: unknown) => this.logger.warn(`Periodic resync failed: ${String(error)}`));
    }, MAINTAIN_EVERY_MS).unref();
  }

  /** After the HTTP server closed: requests answered while draining could still broadcast. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.maintenanceTimer);
    await this.broadcaster.close();
  }

  isRevoked(sessionId: string): boolean {
    return this.enabled && this.revoked.has(sessionId);
  }

  /** Called after the database committed a revocation: remember locally, then tell the others. */
  async publish(sessionIds: string[]): Promise<void> {
    if (!this.enabled || sessionIds.length === 0) return;
    this.remember(sessionIds, Date.now());
    try {
      await this.broadcaster.publish(sessionIds);
    } catch (error) {
      // The revocation is committed; other instances catch up at their next resync (≤ 1 min).
      this.logger.error(`Could not broadcast a revocation: ${String(error)}`);
    }
  }

  private async resync(announce = true): Promise<void> {
    const rows = await this.sessions.findRevokedSince(this.retentionSeconds);
    for (const row of rows) this.remember([row.id], row.revokedAt.getTime());
    if (announce) this.logger.log(`Revocation list resynchronised: ${this.revoked.size} session(s)`);
  }

  private remember(sessionIds: string[], revokedAtMs: number): void {
    const forgetAt = revokedAtMs + this.retentionSeconds * 1000;
    for (const id of sessionIds) this.revoked.set(id, Math.max(forgetAt, this.revoked.get(id) ?? 0));
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, forgetAt] of this.revoked) if (forgetAt <= now) this.revoked.delete(id);
  }
}
