import type { DataSource, EntityManager } from 'typeorm';
import { Transactions } from '../../src/database/transactions.js';

/**
 * The real Transactions over a data source that runs the work at once, with no database: unit
 * specs see which calls share a transaction (`expect.any(Transaction)`) and that after-commit
 * tasks follow the work; atomicity itself is proven end to end.
 */
export function inlineTransactions(): Transactions {
  const dataSource = {
    transaction: <T>(work: (manager: EntityManager) => Promise<T>) => work({} as EntityManager),
  } as unknown as DataSource;
  return new Transactions(dataSource);
}
