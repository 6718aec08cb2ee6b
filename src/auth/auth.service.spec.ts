import { describe, expect, it, jest } from '@jest/globals';
import type { ConfigService } from '@nestjs/config';
import { Registry } from 'prom-client';
import type { AllConfig } from '../config/config.types.js';
import { AuthMetrics } from '../metrics/auth-metrics.js';
import { validateEnv } from '../config/env.validation.js';
import type { SessionsService } from '../sessions/sessions.service.js';
import type { ClientContext } from '../common/client-context.decorator.js';
import type { RotationResult, SessionState } from '../sessions/sessions.types.js';
import { Transaction } from '../database/transactions.js';
import { inlineTransactions } from '../../test/factories/transactions.fixture.js';
import type { User } from '../users/entities/user.entity.js';
import type { NewUser } from '../users/users.repository.js';
import type { UsersService } from '../users/users.service.js';
import {
  AccountDisabledException,
  EmailNotVerifiedException,
  InvalidCredentialsException,
  RefreshTokenReusedException,
  RegistrationClosedException,
} from './auth.exceptions.js';
import { SessionRevokedException, TokenInvalidException } from '../common/auth/token.exceptions.js';
import { EmailVerificationService } from '../account/email-verification.service.js';
import type { AccountLinksService } from '../account/account-links.service.js';
import type { LinkTokensRepository } from '../account/link-tokens.repository.js';
import { AuthService } from './auth.service.js';
import type { TokenPair, TokensService } from './tokens.service.js';
import type { RefreshPrincipal } from './types/token-claims.js';
import { aUser } from '../../test/factories/user-entity.fixture.js';

const ORIGIN: ClientContext = { ip: '203.0.113.7', userAgent: 'jest' };
const USER_ID = '0b9b8f0e-6a0c-4f0e-9a53-2f5c3e7c1d11';
const SESSION_ID = '5f1f0a5e-2b47-4c43-9a8e-2f1f3f1f0a01';


const aSession = (generation = 0): SessionState => ({
  id: SESSION_ID,
  userId: USER_ID,
  generation,
  rotatedAt: Date.parse('2026-01-01T00:00:00Z') / 1000,
  expiresAt: Date.parse('2026-01-08T00:00:00Z') / 1000,
  roles: ['user'],
  emailVerified: false,
});

const PAIR: TokenPair = { accessToken: 'access', refreshToken: 'refresh', expiresIn: 900, refreshExpiresIn: 604800 };

const PRINCIPAL: RefreshPrincipal = { userId: USER_ID, sessionId: SESSION_ID, generation: 3 };

function fakeConfig(config: AllConfig): ConfigService<AllConfig, true> {
  const get = (path: string) => path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
  return { get } as unknown as ConfigService<AllConfig, true>;
}

function setup(env: Record<string, string> = {}) {
  const users = {
    newAccount: jest
      .fn<(email: string, password: string, name?: string | null) => Promise<NewUser>>()
      .mockImplementation(async (email, password, name) => ({ email, passwordHash: `hash(${password})`, name: name ?? null, roles: ['user'] })),
    insert: jest.fn<(account: NewUser, transaction?: Transaction) => Promise<User>>().mockResolvedValue(aUser()),
    verifyCredentials: jest
      .fn<(email: string, password: string) => Promise<{ user: User | null; known: User | null }>>()
      .mockResolvedValue({ user: null, known: null }),
    findById: jest.fn<(id: string) => Promise<User | null>>().mockResolvedValue(aUser()),
  };
  const sessions = {
    open: jest.fn<(userId: string, origin: ClientContext, transaction?: Transaction) => Promise<SessionState | null>>().mockResolvedValue(aSession()),
    rotate: jest.fn<(sid: string, uid: string, generation: number, origin: ClientContext) => Promise<RotationResult>>(),
    recordLoginFailed: jest.fn<(userId: string | null, origin: ClientContext) => Promise<void>>().mockResolvedValue(undefined),
    close: jest.fn<(sid: string, uid: string, origin: ClientContext) => Promise<void>>().mockResolvedValue(undefined),
  };
  const tokens = { issue: jest.fn<(session: SessionState) => TokenPair>().mockReturnValue(PAIR) };
  const links = { send: jest.fn<(kind: string, userId: string, to: string) => Promise<void>>().mockResolvedValue(undefined) };
  const linkTokens = { hasLiveLink: jest.fn<(userId: string, kind: string) => Promise<boolean>>().mockResolvedValue(true) };
  const config = fakeConfig(validateEnv({ NODE_ENV: 'test', ...env }));
  const verification = new EmailVerificationService(
    config,
    users as unknown as UsersService,
    sessions as unknown as SessionsService,
    links as unknown as AccountLinksService,
    linkTokens as unknown as LinkTokensRepository,
  );
  const transactions = inlineTransactions();
  const service = new AuthService(
    config,
    users as unknown as UsersService,
    sessions as unknown as SessionsService,
    tokens as unknown as TokensService,
    verification,
    new AuthMetrics(new Registry()),
    transactions,
  );
  return { service, users, sessions, tokens, links, linkTokens, transactions };
}

describe('AuthService', () => {
  describe('register', () => {
    it('hashes first, then creates the user and opens a session in one transaction, and issues its tokens', async () => {
      const { service, users, sessions, tokens, transactions } = setup();
      const run = jest.spyOn(transactions, 'run');

      await expect(
        service.register({ email: 'ada@example.com', password: 'a long passphrase', name: 'Ada' }, ORIGIN),
      ).resolves.toEqual({ user: aUser(), tokens: PAIR });

      expect(users.newAccount).toHaveBeenCalledWith('ada@example.com', 'a long passphrase', 'Ada');
      expect(users.newAccount.mock.invocationCallOrder[0]).toBeLessThan(run.mock.invocationCallOrder[0]);
      expect(run).toHaveBeenCalledTimes(1);
      expect(users.insert).toHaveBeenCalledWith(
        expect.objectContaining({ email: 'ada@example.com', passwordHash: 'hash(a long passphrase)' }),
        expect.any(Transaction),
      );
      const transaction = users.insert.mock.calls[0][1];
      expect(sessions.open).toHaveBeenCalledWith(USER_ID, ORIGIN, transaction);
      expect(tokens.issue).toHaveBeenCalledWith(aSession());
    });

    it('refuses with RegistrationClosedException (403 forbidden) when AUTH_REGISTRATION=closed, creating nothing', async () => {
      const { service, users, sessions } = setup({ AUTH_REGISTRATION: 'closed' });

      const attempt = service.register({ email: 'ada@example.com', password: 'a long passphrase' }, ORIGIN);

      await expect(attempt).rejects.toBeInstanceOf(RegistrationClosedException);
      await expect(attempt).rejects.toMatchObject({ status: 403, code: 'forbidden' });
      expect(users.newAccount).not.toHaveBeenCalled();
      expect(users.insert).not.toHaveBeenCalled();
      expect(sessions.open).not.toHaveBeenCalled();
    });

    it('opens no session when the user cannot be created', async () => {
      const { service, users, sessions } = setup();
      users.insert.mockRejectedValue(new Error('email taken'));

      await expect(service.register({ email: 'ada@example.com', password: 'a long passphrase' }, ORIGIN)).rejects.toThrow(
        'email taken',
      );
      expect(sessions.open).not.toHaveBeenCalled();
    });
  });

  describe('login', () => {
    it('opens a session and issues tokens for valid credentials', async () => {
      const { service, users, sessions, tokens } = setup();
      users.verifyCredentials.mockResolvedValue({ user: aUser(), known: aUser() });

      await expect(service.login({ email: 'ada@example.com', password: 'right' }, ORIGIN)).resolves.toBe(PAIR);

      expect(sessions.open).toHaveBeenCalledWith(USER_ID, ORIGIN);
      expect(tokens.issue).toHaveBeenCalledWith(aSession());
      expect(sessions.recordLoginFailed).not.toHaveBeenCalled();
    });

    it('records login_failed against the known account and throws InvalidCredentialsException for a wrong password', async () => {
      const { service, users, sessions, tokens } = setup();
      users.verifyCredentials.mockResolvedValue({ user: null, known: aUser() });

      const attempt = service.login({ email: 'ada@example.com', password: 'wrong' }, ORIGIN);

      await expect(attempt).rejects.toBeInstanceOf(InvalidCredentialsException);
      await expect(attempt).rejects.toMatchObject({ status: 401, code: 'invalid_credentials' });
      expect(sessions.recordLoginFailed).toHaveBeenCalledWith(USER_ID, ORIGIN);
      expect(sessions.open).not.toHaveBeenCalled();
      expect(tokens.issue).not.toHaveBeenCalled();
    });

    it('records login_failed without an account and throws the same exception for an unknown email', async () => {
      const { service, sessions } = setup();

      const unknownEmail = service.login({ email: 'nobody@example.com', password: 'whatever' }, ORIGIN);

      await expect(unknownEmail).rejects.toBeInstanceOf(InvalidCredentialsException);
      await expect(unknownEmail).rejects.toMatchObject({ message: new InvalidCredentialsException().message });
      expect(sessions.recordLoginFailed).toHaveBeenCalledWith(null, ORIGIN);
      expect(sessions.open).not.toHaveBeenCalled();
    });

    it('answers a disabled account 403 account_disabled only after its correct password, opening no session', async () => {
      const { service, users, sessions, tokens } = setup();
      const disabled = { ...aUser(), disabledAt: new Date('2026-02-01T00:00:00Z') };
      users.verifyCredentials.mockResolvedValue({ user: disabled, known: disabled });

      const attempt = service.login({ email: 'ada@example.com', password: 'right' }, ORIGIN);

      await expect(attempt).rejects.toBeInstanceOf(AccountDisabledException);
      await expect(attempt).rejects.toMatchObject({ status: 403, code: 'account_disabled' });
      expect(sessions.recordLoginFailed).toHaveBeenCalledWith(USER_ID, ORIGIN);
      expect(sessions.open).not.toHaveBeenCalled();
      expect(tokens.issue).not.toHaveBeenCalled();
    });

    it('is 401 invalid_credentials for a disabled account with a wrong password (nothing revealed)', async () => {
      const { service, users } = setup();
      users.verifyCredentials.mockResolvedValue({ user: null, known: { ...aUser(), disabledAt: new Date() } });

      await expect(service.login({ email: 'ada@example.com', password: 'wrong' }, ORIGIN)).rejects.toBeInstanceOf(
        InvalidCredentialsException,
      );
    });

    it('is 403 account_disabled when the account is disabled between the password check and the session', async () => {
      const { service, users, sessions, tokens } = setup();
      users.verifyCredentials.mockResolvedValue({ user: aUser(), known: aUser() });
      sessions.open.mockResolvedValue(null);

      await expect(service.login({ email: 'ada@example.com', password: 'right' }, ORIGIN)).rejects.toBeInstanceOf(
        AccountDisabledException,
      );
      expect(tokens.issue).not.toHaveBeenCalled();
    });
  });

  describe('refresh', () => {
    it.each([
      ['rotated', { outcome: 'rotated', session: aSession(4) }],
      ['replayed', { outcome: 'replayed', session: aSession(4) }],
    ] as const)('issues tokens for the current session state when %s', async (_outcome, result) => {
      const { service, sessions, tokens } = setup();
      sessions.rotate.mockResolvedValue(result);

      await expect(service.refresh(PRINCIPAL, ORIGIN)).resolves.toBe(PAIR);

      expect(sessions.rotate).toHaveBeenCalledWith(SESSION_ID, USER_ID, 3, ORIGIN);
      expect(tokens.issue).toHaveBeenCalledWith(aSession(4));
    });

    it.each([
      ['reused', 'refresh_token_reused', { outcome: 'reused', revokedSessionId: SESSION_ID }, RefreshTokenReusedException],
      ['inactive', 'session_revoked', { outcome: 'inactive' }, SessionRevokedException],
      ['invalid', 'token_invalid', { outcome: 'invalid' }, TokenInvalidException],
    ] as const)('maps %s to a 401 %s exception and issues nothing', async (_outcome, code, result, exception) => {
      const { service, sessions, tokens } = setup();
      sessions.rotate.mockResolvedValue(result);

      const attempt = service.refresh(PRINCIPAL, ORIGIN);

      await expect(attempt).rejects.toBeInstanceOf(exception);
      await expect(attempt).rejects.toMatchObject({ status: 401, code });
      expect(tokens.issue).not.toHaveBeenCalled();
    });

    it('sends no WWW-Authenticate challenge on refresh failures (they are not bearer-protected routes)', async () => {
      const { service, sessions } = setup();
      sessions.rotate.mockResolvedValue({ outcome: 'inactive' });

      await expect(service.refresh(PRINCIPAL, ORIGIN)).rejects.toMatchObject({ headers: undefined });
    });
  });

  describe('AUTH_EMAIL_VERIFICATION', () => {
    it('optional: mails a verification link at registration and still signs in', async () => {
      const { service, links } = setup();

      await expect(service.register({ email: 'ada@example.com', password: 'a long passphrase' }, ORIGIN)).resolves.toEqual({
        user: aUser(),
        tokens: PAIR,
      });
      expect(links.send).toHaveBeenCalledWith('email_verification', USER_ID, 'ada@example.com');
    });

    it('off: mails nothing at registration', async () => {
      const { service, links } = setup({ AUTH_EMAIL_VERIFICATION: 'off' });

      await service.register({ email: 'ada@example.com', password: 'a long passphrase' }, ORIGIN);
      expect(links.send).not.toHaveBeenCalled();
    });

    it('required: registration opens no session and returns no tokens', async () => {
      const { service, sessions, links } = setup({ AUTH_EMAIL_VERIFICATION: 'required' });

      await expect(service.register({ email: 'ada@example.com', password: 'a long passphrase' }, ORIGIN)).resolves.toEqual({
        user: aUser(),
        tokens: null,
      });
      expect(links.send).toHaveBeenCalledWith('email_verification', USER_ID, 'ada@example.com');
      expect(sessions.open).not.toHaveBeenCalled();
    });

    it('required: a correct password of an unverified account is 403 email_not_verified, a wrong one stays 401', async () => {
      const { service, users, sessions, linkTokens, links } = setup({ AUTH_EMAIL_VERIFICATION: 'required' });
      linkTokens.hasLiveLink.mockResolvedValue(true);
      users.verifyCredentials.mockResolvedValueOnce({ user: aUser(), known: aUser() });
      users.verifyCredentials.mockResolvedValueOnce({ user: null, known: aUser() });

      const correct = service.login({ email: 'ada@example.com', password: 'right' }, ORIGIN);
      await expect(correct).rejects.toBeInstanceOf(EmailNotVerifiedException);
      await expect(correct).rejects.toMatchObject({ status: 403, code: 'email_not_verified' });
      await expect(service.login({ email: 'ada@example.com', password: 'wrong' }, ORIGIN)).rejects.toBeInstanceOf(
        InvalidCredentialsException,
      );
      expect(sessions.open).not.toHaveBeenCalled();
      // The link mailed at registration still works: no new one.
      expect(links.send).not.toHaveBeenCalled();
    });

    it('required: a refused sign-in mails a new link once the earlier one stopped working', async () => {
      const { service, users, linkTokens, links } = setup({ AUTH_EMAIL_VERIFICATION: 'required' });
      users.verifyCredentials.mockResolvedValue({ user: aUser(), known: aUser() });
      linkTokens.hasLiveLink.mockResolvedValue(false);

      await expect(service.login({ email: 'ada@example.com', password: 'right' }, ORIGIN)).rejects.toBeInstanceOf(
        EmailNotVerifiedException,
      );
      expect(links.send).toHaveBeenCalledWith('email_verification', USER_ID, 'ada@example.com');
    });

    it('required: a refresh of an unverified account is refused before its token is rotated', async () => {
      const { service, sessions, users } = setup({ AUTH_EMAIL_VERIFICATION: 'required' });

      await expect(service.refresh(PRINCIPAL, ORIGIN)).rejects.toBeInstanceOf(EmailNotVerifiedException);
      expect(sessions.rotate).not.toHaveBeenCalled();

      users.findById.mockResolvedValue({ ...aUser(), emailVerifiedAt: new Date() });
      sessions.rotate.mockResolvedValue({ outcome: 'rotated', session: aSession(4) });
      await expect(service.refresh(PRINCIPAL, ORIGIN)).resolves.toBe(PAIR);
    });
  });

  describe('logout', () => {
    it('closes the session of the refresh token', async () => {
      const { service, sessions } = setup();

      await service.logout(PRINCIPAL, ORIGIN);

      expect(sessions.close).toHaveBeenCalledWith(SESSION_ID, USER_ID, ORIGIN);
    });
  });
});
