import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { RefreshTokenTransport } from '../refresh-token.transport.js';
import { RefreshTokenVerifier, VerifyingStrategy } from '../token-verifier.js';
import type { RefreshPrincipal } from '../types/token-claims.js';

/**
 * `jwt-refresh`: the refresh token where RefreshTokenTransport finds it (body or cookie),
 * verified by RefreshTokenVerifier. A valid signature only gets the request as far as the
 * session row, which decides.
 */
@Injectable()
export class JwtRefreshStrategy extends PassportStrategy(VerifyingStrategy, 'jwt-refresh') {
  constructor(verifier: RefreshTokenVerifier, transport: RefreshTokenTransport) {
    super({ jwtFromRequest: (request: FastifyRequest) => transport.presentedToken(request), secretOrKey: verifier });
  }

  validate(principal: RefreshPrincipal): RefreshPrincipal {
    return principal;
  }
}
