import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { LinkTokensRepository } from './link-tokens.repository.js';

/** A dead link's row is kept a week (what was asked for, and when), then deleted. */
const LINK_RETENTION_SECONDS = 7 * 86_400;

@Injectable()
export class LinkTokensCleanupService {
  private readonly logger = new Logger(LinkTokensCleanupService.name);

  constructor(private readonly links: LinkTokensRepository) {}

  /** Hourly; several instances may run it at once (the delete is idempotent). */
  @Cron(CronExpression.EVERY_HOUR, { name: 'link-tokens-cleanup' })
  async deleteStale(): Promise<number> {
    const deleted = await this.links.deleteStale(LINK_RETENTION_SECONDS);
    if (deleted) this.logger.log(`Deleted ${deleted} dead link(s)`);
    return deleted;
  }
}
