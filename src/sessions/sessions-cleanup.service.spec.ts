import { describe, expect, it, jest } from '@jest/globals';
import type { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../config/config.types.js';
import type { EventsBatch, SessionsBatch, SessionsCleanupRepository } from './sessions-cleanup.repository.js';
import { CLEANUP_BATCH_SIZE, SESSION_RETENTION_SECONDS, SessionsCleanupService } from './sessions-cleanup.service.js';

const RETENTION = 90 * 86_400;

function setup(sessionBatches: SessionsBatch[], eventBatches: EventsBatch[]) {
  const repository = {
    deleteEndedSessions: jest.fn<(retain: number, from: Date | null, limit: number) => Promise<SessionsBatch>>(),
    deleteOldEvents: jest.fn<(retain: number, afterId: string | null, limit: number) => Promise<EventsBatch>>(),
  };
  for (const batch of sessionBatches) repository.deleteEndedSessions.mockResolvedValueOnce(batch);
  for (const batch of eventBatches) repository.deleteOldEvents.mockResolvedValueOnce(batch);
  const config = { get: () => RETENTION } as unknown as ConfigService<AllConfig, true>;
  return { service: new SessionsCleanupService(config, repository as unknown as SessionsCleanupRepository), repository };
}

const sessions = (deleted: number, last: Date | null = null, locked = true): SessionsBatch => ({ locked, deleted, last });
const events = (deleted: number, scanned: number, lastId: string | null, locked = true): EventsBatch => ({ locked, deleted, scanned, lastId });

describe('SessionsCleanupService.run', () => {
  it('walks sessions while batches come back full, then events until a batch has nothing to delete', async () => {
    const t1 = new Date('2026-01-01T00:00:00Z');
    const { service, repository } = setup([sessions(3, t1), sessions(1, t1)], [events(3, 3, '10'), events(2, 3, '13'), events(0, 3, '16')]);

    const report = await service.run(3);

    expect(report).toMatchObject({ sessions: 4, events: 5, batches: 5, yielded: false });
    expect(repository.deleteEndedSessions.mock.calls).toEqual([
      [SESSION_RETENTION_SECONDS, null, 3],
      [SESSION_RETENTION_SECONDS, t1, 3],
    ]);
    expect(repository.deleteOldEvents.mock.calls).toEqual([
      [RETENTION, null, 3],
      [RETENTION, '10', 3],
      [RETENTION, '13', 3],
    ]);
  });

  it('stops at the end of the events table (a short batch)', async () => {
    const { service, repository } = setup([sessions(0)], [events(2, 2, '2')]);

    await expect(service.run(3)).resolves.toMatchObject({ sessions: 0, events: 2, batches: 2 });
    expect(repository.deleteOldEvents).toHaveBeenCalledTimes(1);
  });

  it('uses a batch size per table unless one is given', async () => {
    const { service, repository } = setup([sessions(0)], [events(0, 0, null)]);

    await service.run();

    expect(repository.deleteEndedSessions.mock.calls[0][2]).toBe(CLEANUP_BATCH_SIZE.sessions);
    expect(repository.deleteOldEvents.mock.calls[0][2]).toBe(CLEANUP_BATCH_SIZE.events);
  });

  it('stops as soon as a batch finds the lock held by another instance', async () => {
    const { service, repository } = setup([sessions(3, new Date()), sessions(0, null, false)], []);

    await expect(service.run(3)).resolves.toMatchObject({ sessions: 3, events: 0, batches: 2, yielded: true });
    expect(repository.deleteOldEvents).not.toHaveBeenCalled();
  });

  it('joins a cycle already running in this instance instead of starting a second one', async () => {
    const { service, repository } = setup([sessions(0)], [events(0, 0, null)]);

    const [a, b] = await Promise.all([service.run(), service.run()]);

    expect(a).toBe(b);
    expect(repository.deleteEndedSessions).toHaveBeenCalledTimes(1);
  });
});
