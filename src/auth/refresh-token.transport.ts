import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AllConfig, RefreshTokenTransport as Transport } from '../config/config.types.js';
import type { TokenResponseDto } from './dto/token-response.dto.js';
import type { TokenPair } from './tokens.service.js';

export const REFRESH_COOKIE = 'refresh_token';
export const REFRESH_COOKIE_PATH = '/api/v1/auth';

/**
 * Where the refresh token travels (REFRESH_TOKEN_TRANSPORT): the JSON body, an HttpOnly
 * SameSite=Strict cookie scoped to the auth routes, or both.
 */
@Injectable()
export class RefreshTokenTransport {
  private readonly mode: Transport;
  private readonly secure: boolean;

  constructor(config: ConfigService<AllConfig, true>) {
    this.mode = config.get('session.refreshTransport', { infer: true });
    this.secure = config.get('session.cookieSecure', { infer: true });
  }

  get usesBody(): boolean {
    return this.mode !== 'cookie';
  }

  get usesCookie(): boolean {
    return this.mode !== 'body';
  }

  /** The presented refresh token: the body's `refreshToken` first, then the cookie. */
  extract(request: FastifyRequest): { token: string; source: 'body' | 'cookie' } | undefined {
    const body = request.body as { refreshToken?: unknown } | undefined;
    if (this.usesBody && body && typeof body.refreshToken === 'string' && body.refreshToken) {
      return { token: body.refreshToken, source: 'body' };
    }
    const header = this.usesCookie ? request.headers.cookie : undefined;
    const cookie = header ? request.server.parseCookie(header)[REFRESH_COOKIE] : undefined;
    return cookie ? { token: cookie, source: 'cookie' } : undefined;
  }

  /** Sets the cookie (cookie transports) and shapes the response body (no token in it for `cookie`). */
  respond(reply: FastifyReply, tokens: TokenPair): TokenResponseDto {
    if (this.usesCookie) {
      void reply.setCookie(REFRESH_COOKIE, tokens.refreshToken, {
        httpOnly: true,
        secure: this.secure,
        sameSite: 'strict',
        path: REFRESH_COOKIE_PATH,
        maxAge: tokens.refreshExpiresIn,
      });
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
      void reply.clearCookie(REFRESH_COOKIE, { httpOnly: true, secure: this.secure, sameSite: 'strict', path: REFRESH_COOKIE_PATH });
    }
  }
}
