import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type Repository } from 'typeorm';
import { PreparedStatements } from '../database/prepared-statements.js';
import { currentTransaction } from '../database/transactions.js';
import { User } from './entities/user.entity.js';
import type { Role } from '../common/auth/role.js';

const UNIQUE_VIOLATION = '23505';

export interface NewUser {
  email: string;
  passwordHash: string;
  name?: string | null;
  roles?: Role[];
}

interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  name: string | null;
  roles: Role[];
  created_at: Date;
  updated_at: Date;
}

const USER_COLUMNS = 'id, email, password_hash, name, roles, created_at, updated_at';

const toUser = (row: UserRow | undefined): User | null =>
  row
    ? Object.assign(new User(), {
        id: row.id,
        email: row.email,
        passwordHash: row.password_hash,
        name: row.name,
        roles: row.roles,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      })
    : null;

/** The only place that touches the users table. */
@Injectable()
export class UsersRepository {
  constructor(
    @InjectRepository(User) private readonly repository: Repository<User>,
    /** The per-request lookups (profile, login) run as named prepared statements. */
    private readonly prepared: PreparedStatements,
  ) {}

  /** The users repository of the caller's transaction, if it runs in one. */
  private get users(): Repository<User> {
    return currentTransaction()?.getRepository(User) ?? this.repository;
  }

  async findById(id: string): Promise<User | null> {
    const rows = await this.prepared.run<UserRow>('users_by_id', `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    return toUser(rows[0]);
  }

  async findByEmail(email: string): Promise<User | null> {
    const rows = await this.prepared.run<UserRow>('users_by_email', `SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [
      email,
    ]);
    return toUser(rows[0]);
  }

  /** Inserts a user; `undefined` when the email is taken (the unique index decides, not a prior read). */
  async insert(user: NewUser): Promise<User | undefined> {
    try {
      return await this.users.save(this.users.create({ ...user, roles: user.roles ?? ['user'] }));
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        return undefined;
      }
      throw error;
    }
  }

  async updateName(id: string, name: string): Promise<User | null> {
    await this.users.update({ id }, { name });
    return this.findById(id);
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.users.update({ id }, { passwordHash });
  }

  async updateRoles(id: string, roles: Role[]): Promise<void> {
    await this.users.update({ id }, { roles });
  }

  /** Oldest first, so pages stay stable while users register. */
  findPage(page: number, pageSize: number): Promise<[User[], number]> {
    return this.users.findAndCount({
      order: { createdAt: 'ASC', id: 'ASC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
  }
}
