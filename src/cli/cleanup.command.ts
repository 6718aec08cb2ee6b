import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { AppModule } from '../app.module.js';
import type { AllConfig } from '../config/config.types.js';
import { UsageError } from './usage-error.js';
import { CLEANUP_BATCH_SIZE, SessionsCleanupService } from '../sessions/sessions-cleanup.service.js';

export const CLEANUP_USAGE = `Usage: npm run cli -- cleanup [--batch-size <rows>]

Runs one clean-up cycle now (the service runs one every hour): deletes sessions that ended more
than a week ago and security events older than AUTH_EVENTS_RETENTION, in batches of
${CLEANUP_BATCH_SIZE.sessions} sessions and ${CLEANUP_BATCH_SIZE.events} events (--batch-size sets both).
Stops when another instance is cleaning up.`;

/** `cleanup`: returns the line to print; throws with the usage on bad arguments. */
export async function cleanup(args: string[], config: AllConfig): Promise<string> {
  let batchSize: number | undefined;
  try {
    const { values } = parseArgs({ args, options: { 'batch-size': { type: 'string' } } });
    if (values['batch-size'] !== undefined) batchSize = Number(values['batch-size']);
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${CLEANUP_USAGE}`, { cause: error });
  }
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000)) {
    throw new UsageError(`--batch-size must be an integer from 1 to 100000\n\n${CLEANUP_USAGE}`);
  }

  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const report = await app.get(SessionsCleanupService).run(batchSize);
    const removed =
      `Removed ${report.sessions} session(s) and ${report.events} event(s) in ${report.batches} batch(es), ` +
      `${report.durationMs} ms (longest batch ${report.longestBatchMs} ms)`;
    return report.yielded ? `${removed}; stopped: another instance holds the clean-up lock` : removed;
  } finally {
    await app.close();
  }
}
