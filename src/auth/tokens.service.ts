import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHmac, randomUUID, sign as signWithKey, type KeyObject } from 'node:crypto';
import type { AllConfig, JwtAlgorithm, JwtConfig } from '../config/config.types.js';
import type { SessionState } from '../sessions/sessions.types.js';
import { encodedHeader, JwtKeys } from './jwt-keys.js';
import { ACCESS_TOKEN_TYPE, REFRESH_TOKEN_TYPE, type AccessTokenClaims, type RefreshTokenClaims } from './types/token-claims.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  /** Seconds until the refresh token (and the session, unless rotated) expires. */
  refreshExpiresIn: number;
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs one compact JWS (RFC 7515): the header's members are fixed per key, so it is encoded once.
 * Written with node:crypto rather than jsonwebtoken (@nestjs/jwt), which validates its options and
 * merges them on every call, for the `refresh` benchmark scenario (README, Performance).
 */
class JwsSigner {
  private readonly encodedHeader: string;

  constructor(
    private readonly algorithm: JwtAlgorithm,
    private readonly key: KeyObject,
    header: { typ: string; kid: string },
  ) {
    this.encodedHeader = encodedHeader(algorithm, header.typ, header.kid);
  }

  sign(claims: object): string {
    const input = `${this.encodedHeader}.${base64url(claims)}`;
    const signature =
      this.algorithm === 'HS256'
        ? createHmac('sha256', this.key).update(input).digest()
        : // ES256 signatures are the JOSE r||s pair, not DER (RFC 7518 §3.4).
          signWithKey('sha256', Buffer.from(input), { key: this.key, dsaEncoding: 'ieee-p1363' });
    return `${input}.${signature.toString('base64url')}`;
  }
}

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
  private readonly access: JwsSigner;
  private readonly refresh: JwsSigner;

  constructor(config: ConfigService<AllConfig, true>, keys: JwtKeys) {
    this.settings = config.get('jwt', { infer: true });
    const { algorithm, signingKey, signingKid } = keys.access;
    this.access = new JwsSigner(algorithm, signingKey, { typ: ACCESS_TOKEN_TYPE, kid: signingKid });
    this.refresh = new JwsSigner('HS256', keys.refresh.key, { typ: REFRESH_TOKEN_TYPE, kid: keys.refresh.kid });
  }

  issue(session: SessionState, nowMs = Date.now()): TokenPair {
    const now = Math.floor(nowMs / 1000);
    // An access token never outlives its session.
    const accessExp = Math.min(now + this.settings.accessTtlSeconds, session.expiresAt);
    const accessClaims: AccessTokenClaims = {
      sub: session.userId,
      sid: session.id,
      jti: randomUUID(),
      iat: now,
      exp: accessExp,
      roles: session.roles,
      email_verified: session.emailVerified,
      aud: this.settings.audience,
      iss: this.settings.issuer,
    };
    return {
      accessToken: this.access.sign(accessClaims),
      refreshToken: this.refreshTokenFor(session),
      expiresIn: Math.max(0, accessExp - now),
      refreshExpiresIn: Math.max(0, session.expiresAt - now),
    };
  }

  /** The session's current refresh token: the same string every time for the same state. */
  refreshTokenFor(session: SessionState): string {
    // In jsonwebtoken's member order, so tokens are byte for byte those of earlier releases.
    const claims: RefreshTokenClaims = {
      sub: session.userId,
      sid: session.id,
      jti: `${session.id}.${session.generation}`,
      iat: session.rotatedAt,
      exp: session.expiresAt,
      aud: this.settings.audience,
      iss: this.settings.issuer,
    };
    return this.refresh.sign(claims);
  }
}
