import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { NotFoundException } from '../common/app.exception.js';
import type { ClientContext } from '../common/client-context.decorator.js';
import type { Page } from '../common/pagination.dto.js';
import { Transactions, type Transaction } from '../database/transactions.js';
import type { User } from './entities/user.entity.js';
import type { Role } from '../common/auth/role.js';
import { PasswordService } from './password.service.js';
import { CurrentPasswordCheck } from './current-password.check.js';
import { EmailTakenException, NO_SUCH_USER } from './users.exceptions.js';
import { PASSWORD_CHANGED, PasswordChangedEvent, type CurrentPasswordAction } from './users.events.js';
import { UsersRepository, type NewUser } from './users.repository.js';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly passwords: PasswordService,
    private readonly events: EventEmitter2,
    private readonly transactions: Transactions,
    private readonly currentPassword: CurrentPasswordCheck,
  ) {}

  /** Creates a user with an argon2id hash; 409 `email_taken` when the email exists. */
  async create(email: string, password: string, name?: string | null, roles: Role[] = ['user']): Promise<User> {
    return this.insert(await this.newAccount(email, password, name, roles));
  }

  /** An account ready to insert: the slow part (argon2id) done, so a transaction need not wait on it. */
  async newAccount(email: string, password: string, name?: string | null, roles: Role[] = ['user']): Promise<NewUser> {
    return { email, passwordHash: await this.passwords.hash(password), name: name ?? null, roles };
  }

  /** Inserts a prepared account (in `transaction`, if given); 409 `email_taken` when the email exists. */
  async insert(account: NewUser, transaction?: Transaction): Promise<User> {
    const user = await this.users.insert(account, transaction);
    if (!user) throw new EmailTakenException();
    return user;
  }

  /**
   * The user if the password matches, else null. Unknown emails cost the same argon2id
   * verification as wrong passwords, so timing does not reveal which accounts exist.
   */
  async verifyCredentials(email: string, password: string): Promise<{ user: User | null; known: User | null }> {
    const known = await this.users.findByEmail(email);
    const matches = await this.passwords.verify(known?.passwordHash, password);
    return { user: matches ? known : null, known };
  }

  findById(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findByEmail(email);
  }

  /**
   * The user when `password` is theirs, through CurrentPasswordCheck: else 400 with a field error
   * on `currentPassword` (recorded as the action's failure event), or 429 once the user is limited.
   * Every route that asks for the current password goes through here, so all share one limit.
   */
  async checkCurrentPassword(
    id: string,
    password: string,
    action: CurrentPasswordAction,
    sessionId: string,
    client: ClientContext,
  ): Promise<User> {
    const user = await this.getById(id);
    await this.currentPassword.verify(user, password, action, sessionId, client);
    return user;
  }

  /** An argon2id hash for a new password (a reset stores it together with spending the link). */
  hashPassword(password: string): Promise<string> {
    return this.passwords.hash(password);
  }

  async getById(id: string): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw new NotFoundException(NO_SUCH_USER);
    return user;
  }

  async updateName(id: string, name: string): Promise<User> {
    const user = await this.users.updateName(id, name);
    if (!user) throw new NotFoundException(NO_SUCH_USER);
    return user;
  }

  /**
   * Changes the password after checking the current one (limited per user, failures recorded),
   * then publishes PasswordChangedEvent and waits for its listeners (the other sessions are
   * revoked before this returns). The new hash and what the listeners write commit together: no
   * new password with the old sessions alive.
   */
  async changePassword(
    id: string,
    sessionId: string,
    currentPassword: string,
    newPassword: string,
    client: ClientContext,
  ): Promise<void> {
    await this.checkCurrentPassword(id, currentPassword, 'password_change', sessionId, client);
    const passwordHash = await this.passwords.hash(newPassword);
    await this.transactions.run(async (transaction) => {
      await this.users.updatePasswordHash(id, passwordHash, transaction);
      await this.events.emitAsync(PASSWORD_CHANGED, new PasswordChangedEvent(id, sessionId, client.ip, client.userAgent, transaction));
    });
  }

  /** A page of accounts, oldest first; `emailPrefix` keeps the emails starting with it. */
  async findPage(page: number, pageSize: number, emailPrefix?: string): Promise<Page<User>> {
    const [items, total] = await this.users.findPage(page, pageSize, emailPrefix);
    return { items, total, page, pageSize };
  }

  /** Creates an admin, or grants the role to an existing account (CLI `create-admin`). */
  async createOrPromoteAdmin(
    email: string,
    password: string,
  ): Promise<{ user: User; outcome: 'created' | 'promoted' | 'unchanged' }> {
    const existing = await this.users.findByEmail(email);
    if (!existing) return { user: await this.create(email, password, null, ['user', 'admin']), outcome: 'created' };
    if (existing.roles.includes('admin')) return { user: existing, outcome: 'unchanged' };
    existing.roles = [...existing.roles, 'admin'];
    await this.users.updateRoles(existing.id, existing.roles);
    return { user: existing, outcome: 'promoted' };
  }
}
