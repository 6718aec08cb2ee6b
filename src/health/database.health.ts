import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { PreparedStatements } from '../database/prepared-statements.js';

/**
 * The database answers a query the way requests query it: through PreparedStatements, named
 * unless DATABASE_PREPARED_STATEMENTS=off. A pool that exists but cannot run a statement (the
 * server is gone, or a transaction pooler drops named statements) is not ready.
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly statements: PreparedStatements,
    private readonly indicator: HealthIndicatorService,
  ) {}

  async answers(key: string, timeoutMs: number) {
    const check = this.indicator.check(key);
    const startedAt = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.statements.run('health_ready', 'SELECT 1', []),
        new Promise((_resolve, reject) => (timer = setTimeout(() => reject(new Error('timeout')), timeoutMs))),
      ]);
      return check.up({ responseTime: Date.now() - startedAt });
    } catch {
      return check.down({ message: 'the database does not answer' });
    } finally {
      clearTimeout(timer);
    }
  }
}
