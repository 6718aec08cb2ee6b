import { describe, expect, it, jest } from '@jest/globals';
import type { EventEmitter2 } from '@nestjs/event-emitter';
import { NotFoundException } from '../common/app.exception.js';
import type { RevocationService } from '../sessions/revocation.service.js';
import { SecurityEvent } from '../sessions/security-events.js';
import type { SessionsService } from '../sessions/sessions.service.js';
import type { User } from '../users/entities/user.entity.js';
import { WrongCurrentPasswordException } from '../users/users.exceptions.js';
import type { UsersService } from '../users/users.service.js';
import type { AccountChange, AccountsRepository, ChangeResult, DeleteResult } from './accounts.repository.js';
import { AccountsService } from './accounts.service.js';
import { LastActiveAdminException } from './auth.exceptions.js';
import { aUser } from '../../test/factories/user-entity.fixture.js';

const USER_ID = '0b9b8f0e-6a0c-4f0e-9a53-2f5c3e7c1d11';
const ADMIN_ID = '7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const CLIENT = { ip: '203.0.113.7', userAgent: 'jest' };


/** An AccountsService on hand-made fakes; the repository answers what each test sets. */
function setup() {
  const users = {
    getById: jest.fn<(id: string) => Promise<User>>().mockResolvedValue(aUser()),
    checkCurrentPassword: jest.fn<UsersService['checkCurrentPassword']>().mockResolvedValue(aUser()),
  };
  const sessions = { listActive: jest.fn<(id: string) => Promise<unknown[]>>().mockResolvedValue([]) };
  const accounts = {
    change: jest.fn<(id: string, change: AccountChange, actorId: string) => Promise<ChangeResult>>(),
    delete: jest.fn<(id: string, actorId: string | null, beforeCommit: (ids: string[]) => Promise<void>) => Promise<DeleteResult>>(),
    revokeAllSessions: jest.fn<(id: string, actorId: string) => Promise<string[] | null>>(),
  };
  const published: string[][] = [];
  const revocations = {
    publish: jest.fn<(ids: string[]) => Promise<void>>().mockImplementation(async (ids) => void published.push(ids)),
  };
  const emitter = { emit: jest.fn<(name: string, event: SecurityEvent) => boolean>().mockReturnValue(true) };
  const service = new AccountsService(
    users as unknown as UsersService,
    sessions as unknown as SessionsService,
    accounts as unknown as AccountsRepository,
    revocations as unknown as RevocationService,
    emitter as unknown as EventEmitter2,
  );
  return { service, users, sessions, accounts, revocations, published, emitter };
}

describe('AccountsService', () => {
  describe('change', () => {
    it('stores roles in canonical order, publishes the revoked sessions and emits each event with the admin', async () => {
      const { service, accounts, published, emitter } = setup();
      accounts.change.mockResolvedValue({ outcome: 'changed', events: ['roles_changed', 'account_disabled'], revokedSessionIds: ['s1', 's2'] });

      await expect(service.change(USER_ID, { roles: ['admin', 'user'], disabled: true }, ADMIN_ID)).resolves.toEqual(aUser());

      expect(accounts.change).toHaveBeenCalledWith(USER_ID, { roles: ['user', 'admin'], disabled: true }, ADMIN_ID);
      expect(published).toEqual([['s1', 's2']]);
      expect(emitter.emit.mock.calls.map(([name, event]) => [name, event.type, event.userId, event.actorId])).toEqual([
        ['auth.roles_changed', 'roles_changed', USER_ID, ADMIN_ID],
        ['auth.account_disabled', 'account_disabled', USER_ID, ADMIN_ID],
      ]);
    });

    it('leaves unset fields unset', async () => {
      const { service, accounts } = setup();
      accounts.change.mockResolvedValue({ outcome: 'changed', events: [], revokedSessionIds: [] });

      await service.change(USER_ID, { disabled: false }, ADMIN_ID);

      expect(accounts.change).toHaveBeenCalledWith(USER_ID, { roles: undefined, disabled: false }, ADMIN_ID);
    });

    it.each([
      ['not_found', NotFoundException, 404, 'not_found'],
      ['last_admin', LastActiveAdminException, 409, 'conflict'],
    ] as const)('turns %s into %p, publishing and emitting nothing', async (outcome, exception, status, code) => {
      const { service, accounts, revocations, emitter } = setup();
      accounts.change.mockResolvedValue({ outcome });

      const attempt = service.change(USER_ID, { roles: ['user'] }, ADMIN_ID);

      await expect(attempt).rejects.toBeInstanceOf(exception);
      await expect(attempt).rejects.toMatchObject({ status, code });
      expect(revocations.publish).not.toHaveBeenCalled();
      expect(emitter.emit).not.toHaveBeenCalled();
    });
  });

  describe('delete', () => {
    it('by an admin: publishes the sessions from inside the transaction and emits account_deleted naming the admin', async () => {
      const { service, accounts, published, emitter } = setup();
      accounts.delete.mockImplementation(async (_id, _actor, beforeCommit) => {
        await beforeCommit(['s1']);
        // The revocation is out before the transaction commits.
        expect(published).toEqual([['s1']]);
        return 'deleted';
      });

      await service.deleteByAdmin(USER_ID, ADMIN_ID);

      expect(accounts.delete).toHaveBeenCalledWith(USER_ID, ADMIN_ID, expect.any(Function));
      expect(emitter.emit).toHaveBeenCalledWith('auth.account_deleted', expect.objectContaining({ userId: USER_ID, actorId: ADMIN_ID }));
    });

    it('by the holder: checks the password first and records no actor', async () => {
      const { service, users, accounts } = setup();
      accounts.delete.mockResolvedValue('deleted');

      await service.deleteOwn(USER_ID, 'the passphrase', 'session-1', CLIENT);

      expect(users.checkCurrentPassword).toHaveBeenCalledWith(USER_ID, 'the passphrase', 'account_deletion', 'session-1', CLIENT);
      expect(accounts.delete).toHaveBeenCalledWith(USER_ID, null, expect.any(Function));
    });

    it('by the holder with a wrong password: deletes nothing', async () => {
      const { service, users, accounts } = setup();
      users.checkCurrentPassword.mockRejectedValue(new WrongCurrentPasswordException());

      await expect(service.deleteOwn(USER_ID, 'wrong', 'session-1', CLIENT)).rejects.toBeInstanceOf(WrongCurrentPasswordException);
      expect(accounts.delete).not.toHaveBeenCalled();
    });

    it.each([
      ['not_found', NotFoundException],
      ['last_admin', LastActiveAdminException],
    ] as const)('turns %s into %p and emits nothing', async (outcome, exception) => {
      const { service, accounts, emitter } = setup();
      accounts.delete.mockResolvedValue(outcome);

      await expect(service.deleteByAdmin(USER_ID, ADMIN_ID)).rejects.toBeInstanceOf(exception);
      expect(emitter.emit).not.toHaveBeenCalled();
    });
  });

  describe('sessions', () => {
    it('lists an existing account’s sessions; 404 before reading them for an unknown one', async () => {
      const { service, users, sessions } = setup();

      await expect(service.sessionsOf(USER_ID)).resolves.toEqual([]);
      users.getById.mockRejectedValueOnce(new NotFoundException());
      await expect(service.sessionsOf('gone')).rejects.toBeInstanceOf(NotFoundException);
      expect(sessions.listActive).toHaveBeenCalledTimes(1);
    });

    it('signs out everywhere: publishes the ids, emits logout_all naming the admin, returns the count', async () => {
      const { service, accounts, published, emitter } = setup();
      accounts.revokeAllSessions.mockResolvedValue(['s1', 's2', 's3']);

      await expect(service.revokeAllSessions(USER_ID, ADMIN_ID)).resolves.toBe(3);

      expect(published).toEqual([['s1', 's2', 's3']]);
      expect(emitter.emit).toHaveBeenCalledWith('auth.logout_all', expect.objectContaining({ userId: USER_ID, actorId: ADMIN_ID }));
    });

    it('signing out an unknown account is 404', async () => {
      const { service, accounts, revocations } = setup();
      accounts.revokeAllSessions.mockResolvedValue(null);

      await expect(service.revokeAllSessions(USER_ID, ADMIN_ID)).rejects.toBeInstanceOf(NotFoundException);
      expect(revocations.publish).not.toHaveBeenCalled();
    });
  });
});
