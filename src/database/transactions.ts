import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

type Task = () => unknown;

/**
 * One open transaction. Services hand it to the repositories that must write inside it; what must
 * not happen for a rolled-back write (broadcasts, in-process events) waits in `afterCommit`.
 */
export class Transaction {
  /** @internal Run by Transactions once the transaction has committed. */
  readonly committedTasks: Task[] = [];

  constructor(readonly manager: EntityManager) {}

  afterCommit(task: Task): void {
    this.committedTasks.push(task);
  }
}

/** Runs `task` once `transaction` has committed (never if it rolls back), or now without one. */
export async function afterCommit(transaction: Transaction | undefined, task: Task): Promise<void> {
  if (transaction) transaction.afterCommit(task);
  else await task();
}

/**
 * Several writes that must land together (an account and its first session, a password and the
 * revocation of the other sessions) run in one transaction: the work receives it and passes it to
 * each repository call, so the path from a service to its SQL shows which writes share it.
 *
 * An explicit handle rather than AsyncLocalStorage: on Node 20, the first `run()` of an
 * AsyncLocalStorage turns on promise hooks for every promise of the process, every request included.
 * Performance workaround for the `verify` and `refresh` benchmark scenarios (README, Performance).
 */
@Injectable()
export class Transactions {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Runs `work` in a new transaction, or in `within` when the caller already holds one. */
  async run<T>(work: (transaction: Transaction) => Promise<T>, within?: Transaction): Promise<T> {
    if (within) return work(within);
    let transaction: Transaction | undefined;
    const result = await this.db.transaction((manager) => work((transaction = new Transaction(manager))));
    for (const task of transaction?.committedTasks ?? []) await task();
    return result;
  }
}
