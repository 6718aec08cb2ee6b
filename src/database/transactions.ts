import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

type Task = () => unknown;

interface Scope {
  manager: EntityManager;
  afterCommit: Task[];
}

const scope = new AsyncLocalStorage<Scope>();

/** The EntityManager of the transaction the caller runs in, if any: repositories query through it. */
export function currentTransaction(): EntityManager | undefined {
  return scope.getStore()?.manager;
}

/**
 * Several writes that must land together (an account and its first session, a password and the
 * revocation of the other sessions) run in one transaction without the services passing a
 * connection around: the transaction's EntityManager travels in AsyncLocalStorage and every
 * repository picks it up. What must not happen for a rolled-back write (broadcasts, in-process
 * events) is queued with afterCommit().
 */
@Injectable()
export class Transactions {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Runs `work` in one transaction; a call inside another joins it. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (scope.getStore()) return work();
    const afterCommit: Task[] = [];
    const result = await this.db.transaction((manager) => scope.run({ manager, afterCommit }, work));
    for (const task of afterCommit) await task();
    return result;
  }

  /** Runs `task` once the current transaction has committed (never if it rolls back), or now outside one. */
  async afterCommit(task: Task): Promise<void> {
    const current = scope.getStore();
    if (current) current.afterCommit.push(task);
    else await task();
  }
}
