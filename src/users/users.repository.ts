import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type DataSource, type Repository } from 'typeorm';
import { PreparedStatements } from '../database/prepared-statements.js';
import type { Transaction } from '../database/transactions.js';
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
  email_verified_at: Date | null;
  roles: Role[];
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const USER_COLUMNS = 'id, email, password_hash, name, email_verified_at, roles, disabled_at, created_at, updated_at';

/**
 * Login's lookup. Emails are unique by `lower(email)` (users_email_lower_key), so the lookup must
 * say `lower(email)` to use that index: `email = $1` reads every row of the table.
 */
export const USER_BY_EMAIL_SQL = `SELECT ${USER_COLUMNS} FROM users WHERE lower(email) = lower($1)`;

const toUser = (row: UserRow | undefined): User | null =>
  row
    ? Object.assign(new User(), {
        id: row.id,
        email: row.email,
        passwordHash: row.password_hash,
        name: row.name,
        emailVerifiedAt: row.email_verified_at,
        roles: row.roles,
        disabledAt: row.disabled_at,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      })
    : null;

/** LIKE's wildcards and its escape character, taken literally. */
const escapeLike = (value: string) => value.replace(/[\\%_]/g, (char) => `\\${char}`);

/** The only place in UsersModule that touches the users table. */
@Injectable()
export class UsersRepository {
  constructor(
    @InjectRepository(User) private readonly repository: Repository<User>,
    @InjectDataSource() private readonly dataSource: DataSource,
    /** The per-request lookups (profile, login) run as named prepared statements. */
    private readonly prepared: PreparedStatements,
  ) {}

  /** The users repository of the caller's transaction, if it passes one. */
  private users(transaction?: Transaction): Repository<User> {
    return transaction?.manager.getRepository(User) ?? this.repository;
  }

  async findById(id: string): Promise<User | null> {
    const rows = await this.prepared.run<UserRow>('users_by_id', `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
    return toUser(rows[0]);
  }

  async findByEmail(email: string): Promise<User | null> {
    const rows = await this.prepared.run<UserRow>('users_by_email', USER_BY_EMAIL_SQL, [email]);
    return toUser(rows[0]);
  }

  /** Inserts a user; `undefined` when the email is taken (the unique index decides, not a prior read). */
  async insert(user: NewUser, transaction?: Transaction): Promise<User | undefined> {
    const users = this.users(transaction);
    try {
      return await users.save(users.create({ ...user, roles: user.roles ?? ['user'] }));
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        return undefined;
      }
      throw error;
    }
  }

  async updateName(id: string, name: string): Promise<User | null> {
    await this.repository.update({ id }, { name });
    return this.findById(id);
  }

  async updatePasswordHash(id: string, passwordHash: string, transaction?: Transaction): Promise<void> {
    await this.users(transaction).update({ id }, { passwordHash });
  }

  async updateRoles(id: string, roles: Role[]): Promise<void> {
    await this.repository.update({ id }, { roles });
  }

  /**
   * Oldest first, so pages stay stable while users register. `emailPrefix` (lower-cased) keeps the
   * emails starting with it, wildcards taken literally; the text_pattern_ops index serves it.
   */
  async findPage(page: number, pageSize: number, emailPrefix?: string): Promise<[User[], number]> {
    const search = emailPrefix === undefined ? [] : [`${escapeLike(emailPrefix)}%`];
    const where = search.length ? `WHERE lower(email) LIKE $1 ESCAPE '\\'` : '';
    const n = search.length;
    const [rows, count] = await Promise.all([
      this.dataSource.query<UserRow[]>(
        `SELECT ${USER_COLUMNS} FROM users ${where} ORDER BY created_at, id LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...search, pageSize, (page - 1) * pageSize],
      ),
      this.dataSource.query<{ total: number }[]>(`SELECT count(*)::int AS total FROM users ${where}`, search),
    ]);
    return [rows.map((row) => toUser(row)!), count[0].total];
  }
}
