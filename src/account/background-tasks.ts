import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';

/** How long shutdown waits for running tasks (they each take a few queries). */
const DRAIN_MS = 3000;

/**
 * Work a request starts but does not wait for (the forgot-password lookup): its answer and its
 * timing then cannot depend on what the work finds. Failures are logged; shutdown waits for the
 * tasks before the mail queue drains and the database closes.
 */
@Injectable()
export class BackgroundTasks implements BeforeApplicationShutdown {
  private readonly logger = new Logger('BackgroundTasks');
  private readonly running = new Set<Promise<void>>();

  run(name: string, work: () => Promise<void>): void {
    const task: Promise<void> = Promise.resolve()
      .then(work)
      .catch((error: unknown) => this.logger.error(`${name} failed: ${(error as Error).message}`))
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.running]),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_MS))),
    ]);
    clearTimeout(timer);
  }
}
