import type { ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import passport from 'passport';
import type { TokenKind } from '../../common/auth/token.exceptions.js';
import { authenticationFailure } from '../token-verifier.js';

/** How a strategy settled: `user` on success, else passport's failure info or the error. */
export interface StrategyOutcome<T> {
  user: T | false;
  info: unknown;
  error: unknown;
}

/** A per-request strategy instance: the strategy's authenticate() and the actions passport gives it. */
interface StrategyAttempt {
  authenticate(request: FastifyRequest, options: { session: false }): void;
  success(user: unknown, info?: unknown): void;
  fail(challenge?: unknown, status?: number): void;
  error(error: unknown): void;
  pass(): void;
  redirect(url: string, status?: number): void;
}

// Passport has no public getter; `_strategy` is what its own authenticate() looks strategies up with.
const registry = passport as unknown as { _strategy(name: string): object | undefined };

/**
 * Runs the passport strategy registered as `name` (by @nestjs/passport's PassportStrategy) on one
 * request, as passport.authenticate() does: a per-request instance whose actions settle the outcome.
 * Without what an API with no sessions never uses: req.logIn, redirects, flash messages.
 *
 * The guards used to extend @nestjs/passport's AuthGuard, which goes through
 * passport.authenticate(): on the `verify` path that kept each request's objects alive past two
 * young-generation collections, so V8 promoted them and every scavenge took ~9 ms instead of ~1.
 * Performance workaround for the `verify` and `refresh` benchmark scenarios (README, Performance).
 */
export function runStrategy<T>(name: string, request: FastifyRequest): Promise<StrategyOutcome<T>> {
  const strategy = registry._strategy(name);
  if (!strategy) return Promise.reject(new Error(`Unknown authentication strategy "${name}"`));
  return new Promise((resolve) => {
    const attempt = Object.create(strategy) as StrategyAttempt;
    attempt.success = (user) => resolve({ user: user as T, info: undefined, error: null });
    attempt.fail = (challenge) => resolve({ user: false, info: challenge, error: null });
    attempt.error = (error) => resolve({ user: false, info: undefined, error });
    // Neither happens with the two JWT strategies; a strategy that does either has not authenticated.
    attempt.pass = () => resolve({ user: false, info: undefined, error: null });
    attempt.redirect = () => resolve({ user: false, info: undefined, error: null });
    // A throw from jwtFromRequest (415 for a cookie without JSON) rejects the promise as it is.
    attempt.authenticate(request, { session: false });
  });
}

/**
 * What both JWT guards do: run strategy `name`, set `request.user` to what it authenticated, or
 * throw the problem its outcome calls for (authenticationFailure: the strategy's own error, else
 * token_invalid or token_missing for this kind of token).
 */
export async function authenticate(context: ExecutionContext, name: string, kind: TokenKind): Promise<true> {
  const request = context.switchToHttp().getRequest<FastifyRequest & { user?: unknown }>();
  const { user, info, error } = await runStrategy(name, request);
  if (error || !user) throw authenticationFailure(kind, error, info);
  request.user = user;
  return true;
}
