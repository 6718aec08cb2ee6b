import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthenticatedUser } from '../../common/auth/principal.js';
import { RevocationService } from '../../sessions/revocation.service.js';
import { ROLES } from '../../common/auth/role.js';
import { SessionRevokedException, TokenInvalidException } from '../auth.exceptions.js';
import { TokensService } from '../tokens.service.js';
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims } from '../types/token-claims.js';
import { acceptableHeader, decodeHeader, isInteger, isUuid } from './token-header.js';

export const bearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * `jwt`: the access token from `Authorization: Bearer`. Signature, algorithm, issuer, audience
 * and expiry by jsonwebtoken (KeyObject picked by `kid`); `typ`, required claims and the
 * in-memory revocation list here. No database read.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    tokens: TokensService,
    private readonly revocations: RevocationService,
  ) {
    const { settings, access } = tokens;
    super({
      jwtFromRequest: bearerToken,
      secretOrKeyProvider: (_request: FastifyRequest, rawToken: string, done: (error: Error | null, key?: unknown) => void) => {
        const header = decodeHeader(rawToken);
        const key = acceptableHeader(header, ACCESS_TOKEN_TYPE, access.algorithm)
          ? access.verificationKeys.get(String(header!.kid))
          : undefined;
        if (key) done(null, key);
        else done(new Error('unacceptable token header'));
      },
      algorithms: [access.algorithm],
      issuer: settings.issuer,
      audience: settings.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: settings.clockToleranceSeconds },
    } as never);
  }

  validate(claims: Partial<AccessTokenClaims>): AuthenticatedUser {
    const { sub, sid, jti, iat, exp, roles } = claims;
    if (
      !isUuid(sub) ||
      !isUuid(sid) ||
      typeof jti !== 'string' ||
      !isInteger(iat) ||
      !isInteger(exp) ||
      !Array.isArray(roles) ||
      !roles.every((role) => (ROLES as readonly string[]).includes(role))
    ) {
      throw new TokenInvalidException('access');
    }
    if (this.revocations.isRevoked(sid)) throw new SessionRevokedException('access');
    return { id: sub, sessionId: sid, roles, tokenId: jti, issuedAt: iat, expiresAt: exp };
  }
}
