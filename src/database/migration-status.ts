import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** Whether the database schema is what this build expects (readiness). */
@Injectable()
export class MigrationStatus {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** True while a shipped migration is not applied yet. */
  hasPending(): Promise<boolean> {
    return this.db.showMigrations();
  }
}
