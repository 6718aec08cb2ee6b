import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-jwt';
import { TokenInvalidException } from '../auth.exceptions.js';
import { RefreshTokenTransport } from '../refresh-token.transport.js';
import { TokensService } from '../tokens.service.js';
import { REFRESH_TOKEN_TYPE, type RefreshPrincipal, type RefreshTokenClaims } from '../types/token-claims.js';
import { acceptableHeader, decodeHeader, isInteger, isUuid } from './token-header.js';

const SOURCE = Symbol('refreshTokenSource');
type RequestWithSource = FastifyRequest & { [SOURCE]?: 'body' | 'cookie' };

/**
 * `jwt-refresh`: the refresh token from the body or the cookie, HS256 with its own key and
 * `typ: rt+jwt`. A valid signature only gets the request as far as the session row, which decides.
 */
@Injectable()
export class JwtRefreshStrategy extends PassportStrategy(Strategy, 'jwt-refresh') {
  constructor(tokens: TokensService, transport: RefreshTokenTransport) {
    const { settings, refreshKey, refreshKid } = tokens;
    super({
      jwtFromRequest: (request: RequestWithSource) => {
        const presented = transport.extract(request);
        request[SOURCE] = presented?.source;
        return presented?.token ?? null;
      },
      secretOrKeyProvider: (_request: FastifyRequest, rawToken: string, done: (error: Error | null, key?: unknown) => void) => {
        const header = decodeHeader(rawToken);
        if (acceptableHeader(header, REFRESH_TOKEN_TYPE, 'HS256') && header!.kid === refreshKid) done(null, refreshKey);
        else done(new Error('unacceptable token header'));
      },
      algorithms: ['HS256'],
      issuer: settings.issuer,
      audience: settings.audience,
      passReqToCallback: true,
      jsonWebTokenOptions: { clockTolerance: settings.clockToleranceSeconds },
    } as never);
  }

  validate(request: RequestWithSource, claims: Partial<RefreshTokenClaims>): RefreshPrincipal {
    const { sub, sid, jti, iat, exp } = claims;
    const suffix = typeof jti === 'string' && jti.startsWith(`${sid}.`) ? jti.slice(String(sid).length + 1) : '';
    const generation = /^\d{1,9}$/.test(suffix) ? Number(suffix) : -1;
    if (!isUuid(sub) || !isUuid(sid) || !isInteger(iat) || !isInteger(exp) || generation < 0) {
      throw new TokenInvalidException('refresh');
    }
    return { userId: sub, sessionId: sid, generation, source: request[SOURCE] ?? 'body' };
  }
}
