import type pg from 'pg';
import type { DataSource } from 'typeorm';

/**
 * Runs hot-path SQL as named prepared statements on TypeORM's own connection pool: PostgreSQL
 * parses and plans each once per connection instead of on every call, and the call skips
 * TypeORM's query-runner bookkeeping. For repositories only; everything else goes through TypeORM.
 * Performance workaround for the `refresh`, `me` and `login` benchmark scenarios (README, Performance).
 */
export class PreparedStatements {
  constructor(private readonly db: DataSource) {}

  async run<Row extends pg.QueryResultRow>(name: string, text: string, values: unknown[]): Promise<Row[]> {
    const pool = (this.db.driver as unknown as { master: pg.Pool }).master;
    const result = await pool.query<Row>({ name, text, values });
    return result.rows;
  }
}
