import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

@Injectable()
export class MigrationsHealthIndicator {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async isUpToDate(key: string) {
    const check = this.indicator.check(key);
    try {
      const pending = await this.db.showMigrations();
      return pending ? check.down({ message: 'migrations pending' }) : check.up();
    } catch {
      return check.down({ message: 'cannot read migrations' });
    }
  }
}
