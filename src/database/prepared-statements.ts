import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import type { AllConfig } from '../config/config.types.js';
import type { Transaction } from './transactions.js';

/**
 * Runs hot-path SQL as named prepared statements on TypeORM's own connection pool: PostgreSQL
 * parses and plans each once per connection instead of on every call, and the call skips
 * TypeORM's query-runner bookkeeping. For repositories only; everything else goes through TypeORM.
 *
 * With DATABASE_PREPARED_STATEMENTS=off the same SQL runs unnamed: a transaction-pooling proxy
 * (PgBouncer before 1.21) hands each transaction another server connection, where a statement
 * prepared on the previous one does not exist (or already exists under that name).
 * Performance workaround for the `refresh`, `me` and `login` benchmark scenarios (README, Performance).
 */
@Injectable()
export class PreparedStatements {
  private readonly named: boolean;

  constructor(@InjectDataSource() private readonly db: DataSource, config: ConfigService<AllConfig, true>) {
    this.named = config.get('database.preparedStatements', { infer: true });
  }

  /** Inside `transaction` the statement runs unnamed on its connection. */
  async run<Row extends pg.QueryResultRow>(name: string, text: string, values: unknown[], transaction?: Transaction): Promise<Row[]> {
    if (transaction) return transaction.manager.query(text, values);
    const pool = (this.db.driver as unknown as { master: pg.Pool }).master;
    const result = await pool.query<Row>(this.named ? { name, text, values } : { text, values });
    return result.rows;
  }
}
