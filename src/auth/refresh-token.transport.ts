import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AllConfig, RefreshTokenTransport as Transport, SessionConfig } from '../config/config.types.js';
import { CookieNeedsJsonException } from './auth.exceptions.js';
import type { TokenResponseDto } from './dto/token-response.dto.js';
import type { TokenPair } from './tokens.service.js';
import { REFRESH_COOKIE } from '../common/auth/auth.decorator.js';

export const REFRESH_COOKIE_PATH = '/api/v1/auth';

const JSON_CONTENT = /^application\/json\s*(;|$)/i;

/**
 * Where the refresh token travels (REFRESH_TOKEN_TRANSPORT): the JSON body, an HttpOnly cookie
 * scoped to the auth routes (SameSite from COOKIE_SAMESITE), or both.
 */
@Injectable()
export class RefreshTokenTransport {
  private readonly mode: Transport;
  /** The attributes of every Set-Cookie, clearing included: a browser matches them to replace it. */
  private readonly cookie: { httpOnly: true; secure: boolean; sameSite: SessionConfig['cookieSameSite']; path: string };

  constructor(config: ConfigService<AllConfig, true>) {
    const session = config.get('session', { infer: true });
    this.mode = session.refreshTransport;
    this.cookie = { httpOnly: true, secure: session.cookieSecure, sameSite: session.cookieSameSite, path: REFRESH_COOKIE_PATH };
  }

  get usesBody(): boolean {
    return this.mode !== 'cookie';
  }

  get usesCookie(): boolean {
    return this.mode !== 'body';
  }

  /**
   * The presented refresh token, decided once here: the body's `refreshToken` wins; otherwise the
   * cookie, which counts only on an application/json request (a cross-site HTML form cannot send
   * one: the CSRF guard), else 415 before the token is even looked at. Null when there is none.
   */
  presentedToken(request: FastifyRequest): string | null {
    const body = request.body as { refreshToken?: unknown } | undefined;
    if (this.usesBody && typeof body?.refreshToken === 'string' && body.refreshToken) return body.refreshToken;
    const header = this.usesCookie ? request.headers.cookie : undefined;
    const cookie = header ? request.server.parseCookie(header)[REFRESH_COOKIE] : undefined;
    if (!cookie) return null;
    if (!JSON_CONTENT.test(request.headers['content-type'] ?? '')) throw new CookieNeedsJsonException();
    return cookie;
  }

  /** Sets the cookie (cookie transports) and shapes the response body (no token in it for `cookie`). */
  respond(reply: FastifyReply, tokens: TokenPair): TokenResponseDto {
    if (this.usesCookie) {
      // Serialised here by `cookie` (what @fastify/cookie's setCookie calls in its onSend hook),
      // without that plugin's per-reply Map and option merging. Performance workaround for the
      // `refresh` benchmark scenario (README, Performance).
      const value = stringifySetCookie({ name: REFRESH_COOKIE, value: tokens.refreshToken, ...this.cookie, maxAge: tokens.refreshExpiresIn });
      void reply.header('set-cookie', value);
    }
    return {
      accessToken: tokens.accessToken,
      ...(this.usesBody ? { refreshToken: tokens.refreshToken } : {}),
      tokenType: 'Bearer',
      expiresIn: tokens.expiresIn,
      refreshExpiresIn: tokens.refreshExpiresIn,
    };
  }

  clear(reply: FastifyReply): void {
    if (this.usesCookie) {
      void reply.clearCookie(REFRESH_COOKIE, this.cookie);
    }
  }
}
