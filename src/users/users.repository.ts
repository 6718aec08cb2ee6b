import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, type Repository } from 'typeorm';
import { User, type Role } from './entities/user.entity.js';

const UNIQUE_VIOLATION = '23505';

export interface NewUser {
  email: string;
  passwordHash: string;
  name?: string | null;
  roles?: Role[];
}

/** The only place that touches the users table. */
@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email });
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
