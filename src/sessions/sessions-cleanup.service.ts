import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { SessionsRepository } from './sessions.repository.js';

const DAY = 86_400;
/** Ended sessions stay listed for forensics (and late reuse is still told apart) for a week. */
const SESSION_RETENTION_SECONDS = 7 * DAY;
const EVENT_RETENTION_SECONDS = 90 * DAY;

@Injectable()
export class SessionsCleanupService {
  private readonly logger = new Logger(SessionsCleanupService.name);

  constructor(private readonly sessions: SessionsRepository) {}

  /** Hourly; several instances may run it at once (the deletes are idempotent). */
  @Cron(CronExpression.EVERY_HOUR, { name: 'sessions-cleanup' })
  async deleteStale(): Promise<{ sessions: number; events: number }> {
    const deleted = await this.sessions.deleteStale(SESSION_RETENTION_SECONDS, EVENT_RETENTION_SECONDS);
    if (deleted.sessions || deleted.events) {
      this.logger.log(`Deleted ${deleted.sessions} stale session(s) and ${deleted.events} old event(s)`);
    }
    return deleted;
  }
}
