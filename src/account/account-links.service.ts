import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHash, randomBytes } from 'node:crypto';
import type { AllConfig } from '../config/config.types.js';
import { MailService } from '../mail/mail.service.js';
import type { Transaction } from '../database/transactions.js';
import type { LinkKind } from './entities/link-token.entity.js';
import { LinkTokensRepository } from './link-tokens.repository.js';

/** 256 random bits, base64url in the link (43 characters). */
const TOKEN_BYTES = 32;

/** What is stored of a token: its SHA-256, hex. */
export const hashLinkToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** Front-end page each kind of link opens; it posts the token back to the API. */
const PAGE: Record<LinkKind, string> = {
  password_reset: 'reset-password',
  email_verification: 'verify-email',
  email_change: 'verify-email',
};

const UNITS: [number, string][] = [
  [86_400, 'day'],
  [3600, 'hour'],
  [60, 'minute'],
  [1, 'second'],
];

/** `3600` → `1 hour`, `90` → `90 seconds`: the largest unit that divides evenly. */
export function describeDuration(seconds: number): string {
  const [size, unit] = UNITS.find(([size]) => seconds % size === 0 && seconds >= size) ?? [1, 'second'];
  const count = seconds / size;
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** Issues single-use links and mails them; only the hash of a token is ever stored. */
@Injectable()
export class AccountLinksService {
  private readonly appUrl: string;
  private readonly ttlSeconds: Record<LinkKind, number>;

  constructor(
    config: ConfigService<AllConfig, true>,
    private readonly links: LinkTokensRepository,
    private readonly mail: MailService,
  ) {
    this.appUrl = config.get('mail.appUrl', { infer: true });
    const auth = config.get('auth', { infer: true });
    this.ttlSeconds = {
      password_reset: auth.passwordResetTtlSeconds,
      email_verification: auth.emailVerificationTtlSeconds,
      email_change: auth.emailVerificationTtlSeconds,
    };
  }

  /**
   * A new link of `kind` for the account (older ones of that kind stop working), mailed to
   * `to`: the account's address, or the new one for an email change.
   */
  async send(kind: LinkKind, userId: string, to: string): Promise<void> {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const ttl = this.ttlSeconds[kind];
    await this.links.issue(userId, kind, hashLinkToken(token), ttl, kind === 'email_change' ? to : null);
    const link = `${this.appUrl}/${PAGE[kind]}?token=${token}`;
    this.mail.send({ kind, to, values: { email: to, link, ttl: describeDuration(ttl) } });
  }

  /** Tells the current address that a change to `newEmail` was asked for (no link). */
  noticeEmailChange(currentEmail: string, newEmail: string): void {
    this.mail.send({ kind: 'email_change_notice', to: currentEmail, values: { email: currentEmail, newEmail } });
  }

  voidOutstanding(userId: string, kinds: LinkKind[], transaction?: Transaction): Promise<void> {
    return this.links.voidOutstanding(userId, kinds, transaction);
  }
}
