import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Cron, CronExpression } from '@nestjs/schedule';
import type { AllConfig } from '../config/config.types.js';
import { SessionsCleanupRepository } from './sessions-cleanup.repository.js';

/** Ended sessions stay listed for forensics (and late reuse is still told apart) for a week. */
export const SESSION_RETENTION_SECONDS = 7 * 86_400;
/**
 * Rows per statement, small enough that each batch is a short transaction whatever the table
 * size. Ended sessions lie scattered over the table (a heap page each); events lie in insertion
 * order, so a batch of them reads few pages (bench --scale clean-up).
 */
export const CLEANUP_BATCH_SIZE = { sessions: 500, events: 2000 };

export interface CleanupReport {
  sessions: number;
  events: number;
  batches: number;
  /** True when another instance held the clean-up lock, so this run stopped (or never started). */
  yielded: boolean;
  durationMs: number;
  longestBatchMs: number;
}

/**
 * Deletes sessions that ended more than a week ago and events older than AUTH_EVENTS_RETENTION,
 * in bounded batches, each under a transaction-scoped advisory lock: with several instances, the
 * first batch to find the lock taken ends its run, so one instance at a time does the work.
 */
@Injectable()
export class SessionsCleanupService {
  private readonly logger = new Logger(SessionsCleanupService.name);
  private readonly eventRetentionSeconds: number;
  private running?: Promise<CleanupReport>;

  constructor(
    config: ConfigService<AllConfig, true>,
    private readonly cleanup: SessionsCleanupRepository,
  ) {
    this.eventRetentionSeconds = config.get('events.retentionSeconds', { infer: true });
  }

  @Cron(CronExpression.EVERY_HOUR, { name: 'sessions-cleanup' })
  async hourly(): Promise<void> {
    const report = await this.run();
    if (report.sessions || report.events) {
      this.logger.log(
        `Deleted ${report.sessions} stale session(s) and ${report.events} old event(s) in ${report.batches} batch(es), ` +
          `${report.durationMs} ms (longest batch ${report.longestBatchMs} ms)`,
      );
    }
  }

  /**
   * One clean-up cycle; a call while this instance is already cleaning up joins that cycle.
   * `batchSize` overrides the rows per statement of both tables.
   */
  run(batchSize?: number): Promise<CleanupReport> {
    const sizes = batchSize ? { sessions: batchSize, events: batchSize } : CLEANUP_BATCH_SIZE;
    this.running ??= this.cycle(sizes).finally(() => (this.running = undefined));
    return this.running;
  }

  private async cycle(batchSize: typeof CLEANUP_BATCH_SIZE): Promise<CleanupReport> {
    const started = performance.now();
    const report: CleanupReport = { sessions: 0, events: 0, batches: 0, yielded: false, durationMs: 0, longestBatchMs: 0 };
    const timed = async <T>(batch: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      const result = await batch();
      report.batches++;
      report.longestBatchMs = Math.max(report.longestBatchMs, Math.round(performance.now() - t0));
      return result;
    };

    let from: Date | null = null;
    for (;;) {
      const batch = await timed(() => this.cleanup.deleteEndedSessions(SESSION_RETENTION_SECONDS, from, batchSize.sessions));
      if (!batch.locked) return this.finish(report, started, true);
      report.sessions += batch.deleted;
      if (batch.deleted < batchSize.sessions) break;
      from = batch.last;
    }
    let afterId: string | null = null;
    for (;;) {
      const batch = await timed(() => this.cleanup.deleteOldEvents(this.eventRetentionSeconds, afterId, batchSize.events));
      if (!batch.locked) return this.finish(report, started, true);
      report.events += batch.deleted;
      // The walk ends at the table's end or at a batch with nothing to delete: the recent rows.
      if (batch.scanned < batchSize.events || batch.deleted === 0) break;
      afterId = batch.lastId;
    }
    return this.finish(report, started, false);
  }

  private finish(report: CleanupReport, started: number, yielded: boolean): CleanupReport {
    return { ...report, yielded, durationMs: Math.round(performance.now() - started) };
  }
}
