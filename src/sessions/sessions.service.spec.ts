import { describe, expect, it, jest } from '@jest/globals';
import type { ConfigService } from '@nestjs/config';
import { Registry } from 'prom-client';
import type { EventEmitter2 } from '@nestjs/event-emitter';
import type { AllConfig } from '../config/config.types.js';
import { AuthMetrics } from '../metrics/auth-metrics.js';
import { validateEnv } from '../config/env.validation.js';
import type { RevokeReason } from './entities/session.entity.js';
import type { AuthEventType } from './entities/auth-event.entity.js';
import type { RevocationService } from './revocation.service.js';
import { SecurityEvent } from './security-events.js';
import type { RotationRecord, SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';
import { inlineTransactions } from '../../test/factories/transactions.fixture.js';
import type { ClientContext } from '../common/client-context.decorator.js';
import type { SessionState } from './sessions.types.js';

const SESSION_ID = '5f1f0a5e-2b47-4c43-9a8e-2f1f3f1f0a01';
const USER_ID = '0b9b8f0e-6a0c-4f0e-9a53-2f5c3e7c1d11';
const ORIGIN: ClientContext = { ip: '203.0.113.7', userAgent: 'jest' };

type StoredSession = SessionState & { active: boolean; rotatedWithinGrace: boolean };

const stateAt = (generation: number): SessionState => ({
  id: SESSION_ID,
  userId: USER_ID,
  generation,
  rotatedAt: Date.parse('2026-01-01T00:00:00Z') / 1000,
  expiresAt: Date.parse('2026-01-08T00:00:00Z') / 1000,
  roles: ['user'],
  emailVerified: false,
});

const stored = (generation: number, flags: { active?: boolean; rotatedWithinGrace?: boolean } = {}): StoredSession => ({
  ...stateAt(generation),
  active: flags.active ?? true,
  rotatedWithinGrace: flags.rotatedWithinGrace ?? false,
});

/** ConfigService.get over a validated configuration, by dotted path (what `infer: true` reads). */
function fakeConfig(config: AllConfig): ConfigService<AllConfig, true> {
  const get = (path: string) => path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
  return { get } as unknown as ConfigService<AllConfig, true>;
}

function setup(env: Record<string, string> = {}) {
  const config = validateEnv({ NODE_ENV: 'test', REFRESH_REUSE_GRACE: '10s', REFRESH_TOKEN_TTL: '7d', ...env });
  const repository = {
    rotate: jest
      .fn<
        (sid: string, uid: string, generation: number, origin: ClientContext, ttl: number, record: RotationRecord) => Promise<SessionState | undefined>
      >()
      .mockResolvedValue(undefined),
    findForRefresh: jest
      .fn<(sid: string, uid: string, graceSeconds: number) => Promise<StoredSession | undefined>>()
      .mockResolvedValue(undefined),
    revoke: jest
      .fn<(sid: string, uid: string, reason: RevokeReason, event: AuthEventType, origin: ClientContext) => Promise<boolean>>()
      .mockResolvedValue(true),
  };
  const revocations = { publish: jest.fn<(ids: string[]) => Promise<void>>().mockResolvedValue(undefined) };
  const emitter = { emit: jest.fn<(event: string, payload: unknown) => boolean>().mockReturnValue(true) };
  const transactions = inlineTransactions();
  const service = new SessionsService(
    fakeConfig(config),
    repository as unknown as SessionsRepository,
    revocations as unknown as RevocationService,
    emitter as unknown as EventEmitter2,
    new AuthMetrics(new Registry()),
    transactions,
  );
  return { service, repository, revocations, emitter, config };
}

describe('SessionsService.rotate', () => {
  it('rotates a known device in one statement, writing and emitting no event (AUTH_EVENTS_REFRESH=changes, the default)', async () => {
    const { service, repository, revocations, emitter, config } = setup();
    const next = stateAt(4);
    repository.rotate.mockResolvedValue(next);

    await expect(service.rotate(SESSION_ID, USER_ID, 3, ORIGIN)).resolves.toEqual({ outcome: 'rotated', session: next });

    expect(repository.rotate).toHaveBeenCalledTimes(1);
    expect(repository.rotate).toHaveBeenCalledWith(SESSION_ID, USER_ID, 3, ORIGIN, config.jwt.refreshTtlSeconds, 'same-device');
    expect(repository.findForRefresh).not.toHaveBeenCalled();
    expect(repository.revoke).not.toHaveBeenCalled();
    expect(revocations.publish).not.toHaveBeenCalled();
    expect(emitter.emit).not.toHaveBeenCalled();
  });

  it('changes: a swap lost only to a new IP or user agent is retried with the refresh event, and emits it', async () => {
    const { service, repository, emitter } = setup();
    const next = stateAt(4);
    repository.rotate.mockResolvedValueOnce(undefined).mockResolvedValueOnce(next);
    repository.findForRefresh.mockResolvedValue(stored(3));

    await expect(service.rotate(SESSION_ID, USER_ID, 3, ORIGIN)).resolves.toEqual({ outcome: 'rotated', session: next });

    expect(repository.rotate.mock.calls.map((call) => call[5])).toEqual(['same-device', 'event']);
    expect(emitter.emit).toHaveBeenCalledTimes(1);
    expect(emitter.emit).toHaveBeenCalledWith('auth.refresh', expect.any(SecurityEvent));
    expect(emitter.emit.mock.calls[0][1]).toMatchObject({ type: 'refresh', userId: USER_ID, sessionId: SESSION_ID, ip: ORIGIN.ip });
  });

  it('changes: when a concurrent refresh wins before the retry, classifies against the row as it is then', async () => {
    const { service, repository, emitter } = setup();
    repository.findForRefresh.mockResolvedValueOnce(stored(3)).mockResolvedValueOnce(stored(4, { rotatedWithinGrace: true }));

    await expect(service.rotate(SESSION_ID, USER_ID, 3, ORIGIN)).resolves.toMatchObject({ outcome: 'replayed' });

    expect(repository.rotate).toHaveBeenCalledTimes(2);
    expect(repository.findForRefresh).toHaveBeenCalledTimes(2);
    expect(emitter.emit).not.toHaveBeenCalled();
  });

  it.each([
    ['all', 'event', 1],
    ['off', 'silent', 0],
  ] as const)('AUTH_EVENTS_REFRESH=%s rotates in one %s statement and emits %i event(s)', async (mode, record, emitted) => {
    const { service, repository, emitter } = setup({ AUTH_EVENTS_REFRESH: mode });
    repository.rotate.mockResolvedValue(stateAt(4));

    await expect(service.rotate(SESSION_ID, USER_ID, 3, ORIGIN)).resolves.toMatchObject({ outcome: 'rotated' });

    expect(repository.rotate.mock.calls.map((call) => call[5])).toEqual([record]);
    expect(emitter.emit).toHaveBeenCalledTimes(emitted);
  });

  it('off: a lost swap is classified without a second rotation attempt', async () => {
    const { service, repository } = setup({ AUTH_EVENTS_REFRESH: 'off' });
    repository.findForRefresh.mockResolvedValue(stored(3));

    await expect(service.rotate(SESSION_ID, USER_ID, 3, ORIGIN)).resolves.toEqual({ outcome: 'inactive' });

    expect(repository.rotate).toHaveBeenCalledTimes(1);
  });

  it('replays the current state for the immediate parent within the grace window (lost CAS, generation + 1)', async () => {
    const { service, repository, revocations, emitter, config } = setup();
    const current = stored(4, { rotatedWithinGrace: true });
    repository.findForRefresh.mockResolvedValue(current);

    await expect(service.rotate(SESSION_ID, USER_ID, 3, ORIGIN)).resolves.toEqual({ outcome: 'replayed', session: current });

    expect(repository.findForRefresh).toHaveBeenCalledWith(SESSION_ID, USER_ID, config.session.reuseGraceSeconds);
    expect(repository.revoke).not.toHaveBeenCalled();
    expect(revocations.publish).not.toHaveBeenCalled();
    expect(emitter.emit).not.toHaveBeenCalled();
  });

  it('passes the configured grace window to the classification read', async () => {
    const { service, repository } = setup({ REFRESH_REUSE_GRACE: '0' });
    repository.findForRefresh.mockResolvedValue(stored(4, { rotatedWithinGrace: true }));

    await service.rotate(SESSION_ID, USER_ID, 3, ORIGIN);

    expect(repository.findForRefresh).toHaveBeenCalledWith(SESSION_ID, USER_ID, 0);
  });

  it('treats the immediate parent outside the grace window as reuse: revokes, publishes and records it', async () => {
    const { service, repository, revocations, emitter } = setup();
    repository.findForRefresh.mockResolvedValue(stored(4, { rotatedWithinGrace: false }));

    await expect(service.rotate(SESSION_ID, USER_ID, 3, ORIGIN)).resolves.toEqual({
      outcome: 'reused',
      revokedSessionId: SESSION_ID,
    });

    expect(repository.revoke).toHaveBeenCalledWith(SESSION_ID, USER_ID, 'refresh_token_reused', 'refresh_token_reused', ORIGIN);
    expect(revocations.publish).toHaveBeenCalledWith([SESSION_ID]);
    expect(emitter.emit).toHaveBeenCalledWith('auth.refresh_token_reused', expect.any(SecurityEvent));
    expect(repository.revoke.mock.invocationCallOrder[0]).toBeLessThan(revocations.publish.mock.invocationCallOrder[0]);
  });

  it('treats an older token (generation + 2) as reuse even within the grace window', async () => {
    const { service, repository, revocations } = setup();
    repository.findForRefresh.mockResolvedValue(stored(5, { rotatedWithinGrace: true }));

    await expect(service.rotate(SESSION_ID, USER_ID, 3, ORIGIN)).resolves.toEqual({
      outcome: 'reused',
      revokedSessionId: SESSION_ID,
    });

    expect(repository.revoke).toHaveBeenCalledTimes(1);
    expect(revocations.publish).toHaveBeenCalledWith([SESSION_ID]);
  });

  it('still reports reuse and publishes when a concurrent request already revoked the session, without a second event', async () => {
    const { service, repository, revocations, emitter } = setup();
    repository.findForRefresh.mockResolvedValue(stored(4));
    repository.revoke.mockResolvedValue(false);

    await expect(service.rotate(SESSION_ID, USER_ID, 3, ORIGIN)).resolves.toMatchObject({ outcome: 'reused' });

    expect(revocations.publish).toHaveBeenCalledWith([SESSION_ID]);
    expect(emitter.emit).not.toHaveBeenCalled();
  });

  it.each([
    ['revoked or expired (inactive row), even for the immediate parent in grace', stored(4, { active: false, rotatedWithinGrace: true })],
    ['revoked or expired (inactive row), for an older token', stored(9, { active: false })],
    ['unknown (no row)', undefined],
    ['at the presented generation but not rotatable (it just became inactive)', stored(3)],
  ])('answers inactive when the session is %s, without revoking anything', async (_case, row) => {
    const { service, repository, revocations, emitter } = setup();
    repository.findForRefresh.mockResolvedValue(row);

    await expect(service.rotate(SESSION_ID, USER_ID, 3, ORIGIN)).resolves.toEqual({ outcome: 'inactive' });

    expect(repository.revoke).not.toHaveBeenCalled();
    expect(revocations.publish).not.toHaveBeenCalled();
    expect(emitter.emit).not.toHaveBeenCalled();
  });

  it('answers invalid for a generation the session never reached, without revoking it', async () => {
    const { service, repository, revocations } = setup();
    repository.findForRefresh.mockResolvedValue(stored(2, { rotatedWithinGrace: true }));

    await expect(service.rotate(SESSION_ID, USER_ID, 3, ORIGIN)).resolves.toEqual({ outcome: 'invalid' });

    expect(repository.revoke).not.toHaveBeenCalled();
    expect(revocations.publish).not.toHaveBeenCalled();
  });

  it('lets a database failure propagate, so the presented token is not burnt', async () => {
    const { service, repository } = setup();
    repository.rotate.mockRejectedValue(new Error('connection terminated'));

    await expect(service.rotate(SESSION_ID, USER_ID, 3, ORIGIN)).rejects.toThrow('connection terminated');
    expect(repository.revoke).not.toHaveBeenCalled();
  });
});
