import { Injectable, type OnModuleInit } from '@nestjs/common';
import { hash, verify, type Options } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';

/** argon2id (the library's default algorithm) with OWASP's minimum: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_OPTIONS: Options = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

/** Passwords are NFKC-normalised (NIST SP 800-63B) and never truncated. */
const normalise = (password: string) => password.normalize('NFKC');

@Injectable()
export class PasswordService implements OnModuleInit {
  /** Verified against when the email is unknown, so both paths cost one argon2id verification. */
  private dummyHash!: string;

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hash(randomBytes(32).toString('base64url'));
  }

  hash(password: string): Promise<string> {
    return hash(normalise(password), ARGON2_OPTIONS);
  }

  /** Verifies against `passwordHash`, or against a dummy hash when there is no user (equal timing). */
  async verify(passwordHash: string | undefined, password: string): Promise<boolean> {
    const matches = await verify(passwordHash ?? this.dummyHash, normalise(password)).catch(() => false);
    return matches && passwordHash !== undefined;
  }
}
