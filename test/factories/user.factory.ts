import { randomBytes } from 'node:crypto';

let sequence = 0;

/** A fresh, valid registration body; unique per call. */
export function newUser(overrides: Partial<{ email: string; password: string; name: string }> = {}) {
  sequence += 1;
  return {
    email: `user-${sequence}-${randomBytes(4).toString('hex')}@example.com`,
    password: `pw-${randomBytes(8).toString('hex')}`,
    name: `User ${sequence}`,
    ...overrides,
  };
}
