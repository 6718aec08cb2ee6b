import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { MigrationStatus } from '../database/migration-status.js';

@Injectable()
export class MigrationsHealthIndicator {
  constructor(
    private readonly migrations: MigrationStatus,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async isUpToDate(key: string) {
    const check = this.indicator.check(key);
    try {
      const pending = await this.migrations.hasPending();
      return pending ? check.down({ message: 'migrations pending' }) : check.up();
    } catch {
      return check.down({ message: 'cannot read migrations' });
    }
  }
}
