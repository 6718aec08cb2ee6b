import { describe, expect, it, jest } from '@jest/globals';
import type { ConfigService } from '@nestjs/config';
import type { EventEmitter2 } from '@nestjs/event-emitter';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { AllConfig } from '../config/config.types.js';
import { CurrentPasswordCheck } from './current-password.check.js';
import { NotFoundException } from '../common/app.exception.js';
import type { User } from './entities/user.entity.js';
import type { PasswordService } from './password.service.js';
import { EmailTakenException, WrongCurrentPasswordException } from './users.exceptions.js';
import {
  CURRENT_PASSWORD_REJECTED,
  CurrentPasswordRejectedEvent,
  PASSWORD_CHANGED,
  PasswordChangedEvent,
} from './users.events.js';
import type { NewUser, UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';
import { Transaction } from '../database/transactions.js';
import { inlineTransactions } from '../../test/factories/transactions.fixture.js';
import { aUser } from '../../test/factories/user-entity.fixture.js';

const CLIENT = { ip: '203.0.113.7', userAgent: 'jest' };


/** A UsersService on hand-made fakes; each test gets its own. */
function setup() {
  const repository = {
    findById: jest.fn<(id: string) => Promise<User | null>>().mockResolvedValue(null),
    findByEmail: jest.fn<(email: string) => Promise<User | null>>().mockResolvedValue(null),
    insert: jest.fn<(user: NewUser, transaction?: Transaction) => Promise<User | undefined>>(),
    updateName: jest.fn<(id: string, name: string) => Promise<User | null>>(),
    updatePasswordHash: jest.fn<(id: string, hash: string, transaction?: Transaction) => Promise<void>>().mockResolvedValue(undefined),
    updateRoles: jest.fn<(id: string, roles: string[]) => Promise<void>>().mockResolvedValue(undefined),
    findPage: jest.fn<(page: number, pageSize: number, emailPrefix?: string) => Promise<[User[], number]>>(),
  };
  const passwords = {
    hash: jest.fn<(password: string) => Promise<string>>().mockImplementation(async (password) => `hash(${password})`),
    verify: jest.fn<(hash: string | undefined, password: string) => Promise<boolean>>().mockResolvedValue(false),
  };
  const events = {
    emitAsync: jest.fn<(event: string, payload: unknown) => Promise<unknown[]>>().mockResolvedValue([]),
  };
  const transactions = inlineTransactions();
  // The check's throttler storage is left at zero hits: the limit itself is proven end to end.
  const storage = {
    increment: jest.fn<ThrottlerStorage['increment']>().mockResolvedValue({
      totalHits: 1,
      timeToExpire: 900,
      isBlocked: false,
      timeToBlockExpire: 0,
    }),
  };
  const config = { get: () => true } as unknown as ConfigService<AllConfig, true>;
  const check = new CurrentPasswordCheck(
    storage,
    config,
    passwords as unknown as PasswordService,
    events as unknown as EventEmitter2,
  );
  const service = new UsersService(
    repository as unknown as UsersRepository,
    passwords as unknown as PasswordService,
    events as unknown as EventEmitter2,
    transactions,
    check,
  );
  return { service, repository, passwords, events };
}

describe('UsersService', () => {
  describe('create', () => {
    it('stores the argon2id hash, never the password, with the given name and roles', async () => {
      const { service, repository, passwords } = setup();
      const created = aUser();
      repository.insert.mockResolvedValue(created);

      await expect(service.create('ada@example.com', 'a long passphrase', 'Ada')).resolves.toBe(created);

      expect(passwords.hash).toHaveBeenCalledWith('a long passphrase');
      expect(repository.insert).toHaveBeenCalledWith(
        {
          email: 'ada@example.com',
          passwordHash: 'hash(a long passphrase)',
          name: 'Ada',
          roles: ['user'],
        },
        undefined,
      );
    });

    it('stores a null name when none is given', async () => {
      const { service, repository } = setup();
      repository.insert.mockResolvedValue(aUser({ name: null }));

      await service.create('ada@example.com', 'a long passphrase');

      expect(repository.insert).toHaveBeenCalledWith(expect.objectContaining({ name: null }), undefined);
    });

    it('maps a taken email (the repository inserts nothing) to EmailTakenException', async () => {
      const { service, repository } = setup();
      repository.insert.mockResolvedValue(undefined);

      const attempt = service.create('taken@example.com', 'a long passphrase');

      await expect(attempt).rejects.toBeInstanceOf(EmailTakenException);
      await expect(attempt).rejects.toMatchObject({ status: 409, code: 'email_taken' });
    });
  });

  describe('verifyCredentials', () => {
    it('verifies against the dummy hash when the email is unknown and returns no user', async () => {
      const { service, repository, passwords } = setup();
      repository.findByEmail.mockResolvedValue(null);

      await expect(service.verifyCredentials('nobody@example.com', 'whatever-password')).resolves.toEqual({
        user: null,
        known: null,
      });

      expect(passwords.verify).toHaveBeenCalledTimes(1);
      expect(passwords.verify).toHaveBeenCalledWith(undefined, 'whatever-password');
    });

    it('returns no user, but the known account, for a wrong password', async () => {
      const { service, repository, passwords } = setup();
      const known = aUser();
      repository.findByEmail.mockResolvedValue(known);
      passwords.verify.mockResolvedValue(false);

      await expect(service.verifyCredentials(known.email, 'wrong-password')).resolves.toEqual({ user: null, known });

      expect(passwords.verify).toHaveBeenCalledWith(known.passwordHash, 'wrong-password');
    });

    it('returns the user when the password matches its stored hash', async () => {
      const { service, repository, passwords } = setup();
      const known = aUser();
      repository.findByEmail.mockResolvedValue(known);
      passwords.verify.mockResolvedValue(true);

      await expect(service.verifyCredentials(known.email, 'right-password')).resolves.toEqual({ user: known, known });

      expect(passwords.verify).toHaveBeenCalledTimes(1);
      expect(passwords.verify).toHaveBeenCalledWith(known.passwordHash, 'right-password');
    });
  });

  describe('getById / updateName', () => {
    it('getById throws NotFoundException for an unknown id', async () => {
      const { service } = setup();

      await expect(service.getById('missing')).rejects.toBeInstanceOf(NotFoundException);
    });

    it('updateName returns the updated user, and throws NotFoundException when it is gone', async () => {
      const { service, repository } = setup();
      const updated = aUser({ name: 'Grace' });
      repository.updateName.mockResolvedValueOnce(updated).mockResolvedValueOnce(null);

      await expect(service.updateName(updated.id, 'Grace')).resolves.toBe(updated);
      await expect(service.updateName('missing', 'Grace')).rejects.toBeInstanceOf(NotFoundException);
      expect(repository.updateName).toHaveBeenNthCalledWith(1, updated.id, 'Grace');
    });
  });

  describe('changePassword', () => {
    it('rejects a wrong current password without touching the repository, publishing only the rejection', async () => {
      const { service, repository, passwords, events } = setup();
      const user = aUser();
      repository.findById.mockResolvedValue(user);
      passwords.verify.mockResolvedValue(false);

      const attempt = service.changePassword(user.id, 'session-1', 'wrong-current', 'a new passphrase', CLIENT);

      await expect(attempt).rejects.toBeInstanceOf(WrongCurrentPasswordException);
      await expect(attempt).rejects.toMatchObject({
        status: 400,
        code: 'validation_failed',
        errors: [expect.objectContaining({ field: 'currentPassword' })],
      });
      expect(passwords.verify).toHaveBeenCalledWith(user.passwordHash, 'wrong-current');
      expect(passwords.hash).not.toHaveBeenCalled();
      expect(repository.updatePasswordHash).not.toHaveBeenCalled();
      expect(events.emitAsync).toHaveBeenCalledTimes(1);
      expect(events.emitAsync).toHaveBeenCalledWith(
        CURRENT_PASSWORD_REJECTED,
        new CurrentPasswordRejectedEvent(user.id, 'session-1', 'password_change', CLIENT.ip, CLIENT.userAgent),
      );
    });

    it('stores a hash of the new password, then publishes user.password_changed for the other sessions', async () => {
      const { service, repository, passwords, events } = setup();
      const user = aUser();
      repository.findById.mockResolvedValue(user);
      passwords.verify.mockResolvedValue(true);

      await service.changePassword(user.id, 'session-1', 'right-current', 'a new passphrase', CLIENT);

      expect(passwords.hash).toHaveBeenCalledWith('a new passphrase');
      expect(repository.updatePasswordHash).toHaveBeenCalledWith(user.id, 'hash(a new passphrase)', expect.any(Transaction));
      const transaction = repository.updatePasswordHash.mock.calls[0][2]!;
      expect(PASSWORD_CHANGED).toBe('user.password_changed');
      expect(events.emitAsync).toHaveBeenCalledTimes(1);
      expect(events.emitAsync).toHaveBeenCalledWith(
        'user.password_changed',
        new PasswordChangedEvent(user.id, 'session-1', CLIENT.ip, CLIENT.userAgent, transaction),
      );
      expect(repository.updatePasswordHash.mock.invocationCallOrder[0]).toBeLessThan(
        events.emitAsync.mock.invocationCallOrder[0],
      );
    });

    it('does not resolve before the password_changed listeners have finished', async () => {
      const { service, repository, passwords, events } = setup();
      repository.findById.mockResolvedValue(aUser());
      passwords.verify.mockResolvedValue(true);
      let finishListeners!: () => void;
      events.emitAsync.mockReturnValue(
        new Promise<unknown[]>((resolve) => {
          finishListeners = () => resolve([]);
        }),
      );
      let settled = false;

      const change = service.changePassword('user-1', 'session-1', 'right-current', 'a new passphrase', CLIENT).then(() => {
        settled = true;
      });
      // One macrotask turn drains every pending microtask: the service has reached emitAsync.
      await new Promise((resolve) => setImmediate(resolve));

      expect(events.emitAsync).toHaveBeenCalledTimes(1);
      expect(settled).toBe(false);
      finishListeners();
      await change;
      expect(settled).toBe(true);
    });

    it('fails when a password_changed listener fails (sessions must not silently stay open)', async () => {
      const { service, repository, passwords, events } = setup();
      repository.findById.mockResolvedValue(aUser());
      passwords.verify.mockResolvedValue(true);
      events.emitAsync.mockRejectedValue(new Error('revocation failed'));

      await expect(
        service.changePassword('user-1', 'session-1', 'right-current', 'a new passphrase', CLIENT),
      ).rejects.toThrow('revocation failed');
    });

    it('throws NotFoundException for an unknown user without verifying anything', async () => {
      const { service, passwords, repository } = setup();

      await expect(service.changePassword('missing', 'session-1', 'x', 'a new passphrase', CLIENT)).rejects.toBeInstanceOf(
        NotFoundException,
      );
      expect(passwords.verify).not.toHaveBeenCalled();
      expect(repository.updatePasswordHash).not.toHaveBeenCalled();
    });
  });

  describe('findPage', () => {
    it('wraps the repository page in { items, total, page, pageSize }', async () => {
      const { service, repository } = setup();
      const users = [aUser()];
      repository.findPage.mockResolvedValue([users, 41]);

      await expect(service.findPage(3, 20)).resolves.toEqual({ items: users, total: 41, page: 3, pageSize: 20 });
      expect(repository.findPage).toHaveBeenCalledWith(3, 20, undefined);
    });

    it('hands the email prefix to the repository', async () => {
      const { service, repository } = setup();
      repository.findPage.mockResolvedValue([[], 0]);

      await expect(service.findPage(1, 20, 'ada_%')).resolves.toEqual({ items: [], total: 0, page: 1, pageSize: 20 });
      expect(repository.findPage).toHaveBeenCalledWith(1, 20, 'ada_%');
    });
  });

  describe('checkCurrentPassword', () => {
    it('returns the account when the password matches its hash', async () => {
      const { service, repository, passwords } = setup();
      const user = aUser();
      repository.findById.mockResolvedValue(user);
      passwords.verify.mockResolvedValue(true);

      await expect(service.checkCurrentPassword(user.id, 'the passphrase', 'email_change', 'session-1', CLIENT)).resolves.toBe(user);
      expect(passwords.verify).toHaveBeenCalledWith(user.passwordHash, 'the passphrase');
    });

    it('throws a validation error on currentPassword when it does not match, publishing the rejection with its action', async () => {
      const { service, repository, events } = setup();
      const user = aUser();
      repository.findById.mockResolvedValue(user);

      const error = await service
        .checkCurrentPassword(user.id, 'wrong', 'account_deletion', 'session-1', CLIENT)
        .catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(WrongCurrentPasswordException);
      expect(error).toMatchObject({ status: 400, code: 'validation_failed', errors: [{ field: 'currentPassword' }] });
      expect(events.emitAsync).toHaveBeenCalledWith(
        CURRENT_PASSWORD_REJECTED,
        new CurrentPasswordRejectedEvent(user.id, 'session-1', 'account_deletion', CLIENT.ip, CLIENT.userAgent),
      );
    });

    it('is 404 for an account that no longer exists', async () => {
      const { service } = setup();

      await expect(service.checkCurrentPassword('gone', 'x', 'email_change', 'session-1', CLIENT)).rejects.toBeInstanceOf(NotFoundException);
    });
  });

  describe('createOrPromoteAdmin', () => {
    it('creates a new admin when the email is unknown', async () => {
      const { service, repository } = setup();
      const admin = aUser({ roles: ['user', 'admin'] });
      repository.insert.mockResolvedValue(admin);

      await expect(service.createOrPromoteAdmin(admin.email, 'a long passphrase')).resolves.toEqual({
        user: admin,
        outcome: 'created',
      });
      expect(repository.insert).toHaveBeenCalledWith(expect.objectContaining({ roles: ['user', 'admin'] }), undefined);
    });

    it('adds the admin role to an existing account once', async () => {
      const { service, repository } = setup();
      repository.findByEmail.mockResolvedValueOnce(aUser()).mockResolvedValueOnce(aUser({ roles: ['user', 'admin'] }));

      await expect(service.createOrPromoteAdmin('ada@example.com', 'ignored')).resolves.toMatchObject({
        user: { roles: ['user', 'admin'] },
        outcome: 'promoted',
      });
      await expect(service.createOrPromoteAdmin('ada@example.com', 'ignored')).resolves.toMatchObject({
        outcome: 'unchanged',
      });

      expect(repository.updateRoles).toHaveBeenCalledTimes(1);
      expect(repository.updateRoles).toHaveBeenCalledWith(aUser().id, ['user', 'admin']);
      expect(repository.insert).not.toHaveBeenCalled();
    });
  });
});
