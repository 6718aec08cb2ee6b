import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import type { AllConfig, JwtConfig } from '../config/config.types.js';
import type { SessionState } from '../sessions/sessions.types.js';
import { JwtKeys } from './jwt-keys.js';
import { ACCESS_TOKEN_TYPE, REFRESH_TOKEN_TYPE, type AccessTokenClaims, type RefreshTokenClaims } from './types/token-claims.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  /** Seconds until the refresh token (and the session, unless rotated) expires. */
  refreshExpiresIn: number;
}

const seconds = (date: Date | number) => Math.floor((typeof date === 'number' ? date : date.getTime()) / 1000);

/**
 * Mints access and refresh tokens with the keys of JwtKeys (verification is TokenVerifier's).
 *
 * A refresh token is a pure function of the session state (id, generation, rotated_at,
 * expires_at) and the refresh key: the grace-window replay re-creates the exact token the
 * winning request received, while the database holds no token material.
 */
@Injectable()
export class TokensService {
  private readonly settings: JwtConfig;

  constructor(
    config: ConfigService<AllConfig, true>,
    private readonly jwt: JwtService,
    private readonly keys: JwtKeys,
  ) {
    this.settings = config.get('jwt', { infer: true });
  }

  issue(session: SessionState, nowMs = Date.now()): TokenPair {
    const now = seconds(nowMs);
    // An access token never outlives its session.
    const accessExp = Math.min(now + this.settings.accessTtlSeconds, seconds(session.expiresAt));
    const accessClaims: Omit<AccessTokenClaims, 'iss' | 'aud'> = {
      sub: session.userId,
      sid: session.id,
      jti: randomUUID(),
      iat: now,
      exp: accessExp,
      roles: session.roles,
      email_verified: session.emailVerified,
    };
    const { algorithm, signingKey, signingKid } = this.keys.access;
    const accessToken = this.jwt.sign(accessClaims, {
      algorithm,
      privateKey: signingKey,
      keyid: signingKid,
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      header: { typ: ACCESS_TOKEN_TYPE, alg: algorithm },
    });
    return {
      accessToken,
      refreshToken: this.refreshTokenFor(session),
      expiresIn: Math.max(0, accessExp - now),
      refreshExpiresIn: Math.max(0, seconds(session.expiresAt) - now),
    };
  }

  /** The session's current refresh token: the same string every time for the same state. */
  refreshTokenFor(session: SessionState): string {
    const claims: Omit<RefreshTokenClaims, 'iss' | 'aud'> = {
      sub: session.userId,
      sid: session.id,
      jti: `${session.id}.${session.generation}`,
      iat: seconds(session.rotatedAt),
      exp: seconds(session.expiresAt),
    };
    return this.jwt.sign(claims, {
      algorithm: 'HS256',
      privateKey: this.keys.refresh.key,
      keyid: this.keys.refresh.kid,
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      header: { typ: REFRESH_TOKEN_TYPE, alg: 'HS256' },
    });
  }
}
