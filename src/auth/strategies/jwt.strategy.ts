import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt } from 'passport-jwt';
import type { AuthenticatedUser } from '../../common/auth/principal.js';
import { RevocationService } from '../../sessions/revocation.service.js';
import { SessionRevokedException } from '../../common/auth/token.exceptions.js';
import { AccessTokenVerifier, VerifyingStrategy } from '../token-verifier.js';
import type { AccessTokenClaims } from '../types/token-claims.js';

/**
 * `jwt`: the access token from `Authorization: Bearer`, verified by AccessTokenVerifier, then
 * the in-memory revocation list. No database read.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(VerifyingStrategy, 'jwt') {
  constructor(
    verifier: AccessTokenVerifier,
    private readonly revocations: RevocationService,
  ) {
    super({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: verifier });
  }

  validate(claims: AccessTokenClaims): AuthenticatedUser {
    if (this.revocations.isRevoked(claims.sid)) throw new SessionRevokedException('access');
    return { id: claims.sub, sessionId: claims.sid, roles: claims.roles, tokenId: claims.jti, issuedAt: claims.iat, expiresAt: claims.exp };
  }
}
