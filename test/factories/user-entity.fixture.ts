import type { User } from '../../src/users/entities/user.entity.js';

export const FIXTURE_USER_ID = '0b9b8f0e-6a0c-4f0e-9a53-2f5c3e7c1d11';

/** A users row as the repository returns it, for service specs with fake repositories. */
export const aUser = (overrides: Partial<User> = {}): User => ({
  id: FIXTURE_USER_ID,
  email: 'ada@example.com',
  passwordHash: '$argon2id$stored-hash',
  name: 'Ada',
  emailVerifiedAt: null,
  roles: ['user'],
  disabledAt: null,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  updatedAt: new Date('2026-01-01T00:00:00Z'),
  ...overrides,
});
