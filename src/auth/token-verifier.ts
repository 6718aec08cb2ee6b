import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHmac, timingSafeEqual, verify as verifySignature, type KeyObject, type VerifyKeyObjectInput } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { Strategy } from 'passport-jwt';
import type { AllConfig, JwtAlgorithm } from '../config/config.types.js';
import { ROLES } from '../common/auth/role.js';
import { AppException } from '../common/app.exception.js';
import { TokenInvalidException, TokenMissingException, type TokenKind } from '../common/auth/token.exceptions.js';
import { encodedHeader, JwtKeys } from './jwt-keys.js';
import {
  ACCESS_TOKEN_TYPE,
  REFRESH_TOKEN_TYPE,
  type AccessTokenClaims,
  type RefreshPrincipal,
} from './types/token-claims.js';

/** Header members that would let a token choose its own key, or demand extensions we do not implement. */
const REFUSED_HEADER_MEMBERS = ['jku', 'jwk', 'x5u', 'x5c', 'crit'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GENERATION = /^\d{1,9}$/;

const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);
const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);

type Json = Record<string, unknown>;

/** One base64url JSON object of a compact JWS, or undefined for anything else. */
function decodePart(token: string, start: number, end: number): Json | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token.slice(start, end), 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

interface Rules {
  typ: string;
  algorithm: JwtAlgorithm;
  /** Key by `kid`; ES256 keys carry the JOSE signature encoding. */
  keys: ReadonlyMap<string, KeyObject | VerifyKeyObjectInput>;
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
}

/**
 * Verifies one kind of token in a single pass over it: split once, header and payload each
 * decoded once. Refused: another `typ` (RFC 8725 §3.11, so an access token is never taken for a
 * refresh token or the reverse), another algorithm than the pinned one, an unknown `kid`,
 * key-bearing or critical header members, a bad signature, another issuer or audience, an
 * expired or not-yet-valid token (with the clock tolerance), and any required claim missing.
 */
export abstract class TokenVerifier<Claims> {
  abstract readonly kind: TokenKind;
  /** The headers this service signs, as encoded, with their keys. */
  private readonly keysByHeader = new Map<string, KeyObject | VerifyKeyObjectInput>();

  protected constructor(private readonly rules: Rules) {
    for (const [kid, key] of rules.keys) this.keysByHeader.set(encodedHeader(rules.algorithm, rules.typ, kid), key);
  }

  /** The verified claims, or undefined when the token is not acceptable (why is not told). */
  verify(token: string): Claims | undefined {
    const headerEnd = token.indexOf('.');
    const payloadEnd = token.indexOf('.', headerEnd + 1);
    if (headerEnd <= 0 || payloadEnd < 0 || token.indexOf('.', payloadEnd + 1) >= 0) return undefined;
    // A header exactly as this service signs it needs no decoding (`verify` and `refresh` benchmark scenarios).
    const key = this.keysByHeader.get(token.slice(0, headerEnd)) ?? this.keyFromHeader(token, headerEnd);
    if (!key || !this.signatureMatches(token, payloadEnd, key)) return undefined;
    const payload = decodePart(token, headerEnd + 1, payloadEnd);
    if (!payload || !this.registeredClaimsHold(payload)) return undefined;
    return this.claims(payload);
  }

  /** The problem a refused token answers with (passport's failure info, read by the guards). */
  rejection(): TokenInvalidException {
    return new TokenInvalidException(this.kind);
  }

  /** The claims of this kind of token, checked and typed; undefined when one is missing or malformed. */
  protected abstract claims(payload: Json): Claims | undefined;

  /** The key a header written any other way names, when it is acceptable at all. */
  private keyFromHeader(token: string, headerEnd: number): KeyObject | VerifyKeyObjectInput | undefined {
    const { rules } = this;
    const header = decodePart(token, 0, headerEnd);
    if (!header || header.typ !== rules.typ || header.alg !== rules.algorithm) return undefined;
    for (const member of REFUSED_HEADER_MEMBERS) if (member in header) return undefined;
    return typeof header.kid === 'string' ? rules.keys.get(header.kid) : undefined;
  }

  private signatureMatches(token: string, payloadEnd: number, key: KeyObject | VerifyKeyObjectInput): boolean {
    const signingInput = token.slice(0, payloadEnd);
    const signature = token.slice(payloadEnd + 1);
    if (this.rules.algorithm === 'HS256') {
      // Compared as base64url text, so only the canonical encoding of the MAC is accepted.
      const expected = createHmac('sha256', key as KeyObject).update(signingInput).digest('base64url');
      return expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
    }
    const bytes = Buffer.from(signature, 'base64url');
    if (bytes.toString('base64url') !== signature) return false;
    return verifySignature('sha256', Buffer.from(signingInput), key, bytes);
  }

  private registeredClaimsHold(payload: Json): boolean {
    const { issuer, audience, clockToleranceSeconds } = this.rules;
    const now = Math.floor(Date.now() / 1000);
    const { iss, aud, exp, nbf, iat } = payload;
    return (
      iss === issuer &&
      (aud === audience || (Array.isArray(aud) && aud.includes(audience))) &&
      isInteger(iat) &&
      isInteger(exp) &&
      now < exp + clockToleranceSeconds &&
      (nbf === undefined || (typeof nbf === 'number' && nbf <= now + clockToleranceSeconds))
    );
  }
}

/** `typ: at+jwt`, the configured algorithm, any key JwtKeys verifies access tokens with. */
@Injectable()
export class AccessTokenVerifier extends TokenVerifier<AccessTokenClaims> {
  readonly kind = 'access';

  constructor(config: ConfigService<AllConfig, true>, keys: JwtKeys) {
    const { issuer, audience, clockToleranceSeconds } = config.get('jwt', { infer: true });
    const { algorithm, verificationKeys } = keys.access;
    const byKid = new Map<string, KeyObject | VerifyKeyObjectInput>();
    for (const [kid, key] of verificationKeys) byKid.set(kid, algorithm === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
    super({ typ: ACCESS_TOKEN_TYPE, algorithm, keys: byKid, issuer, audience, clockToleranceSeconds });
  }

  protected claims(payload: Json): AccessTokenClaims | undefined {
    const { sub, sid, jti, roles, email_verified: emailVerified } = payload;
    const known = ROLES as readonly unknown[];
    if (!isUuid(sub) || !isUuid(sid) || typeof jti !== 'string' || !Array.isArray(roles)) return undefined;
    // Absent from tokens issued before the claim existed; a boolean whenever present.
    if (emailVerified !== undefined && typeof emailVerified !== 'boolean') return undefined;
    for (const role of roles) if (!known.includes(role)) return undefined;
    return payload as unknown as AccessTokenClaims;
  }
}

/** `typ: rt+jwt`, HS256 with the refresh key, and `jti` = `<sid>.<generation>`. */
@Injectable()
export class RefreshTokenVerifier extends TokenVerifier<RefreshPrincipal> {
  readonly kind = 'refresh';

  constructor(config: ConfigService<AllConfig, true>, keys: JwtKeys) {
    const { issuer, audience, clockToleranceSeconds } = config.get('jwt', { infer: true });
    const byKid = new Map([[keys.refresh.kid, keys.refresh.key]]);
    super({ typ: REFRESH_TOKEN_TYPE, algorithm: 'HS256', keys: byKid, issuer, audience, clockToleranceSeconds });
  }

  protected claims(payload: Json): RefreshPrincipal | undefined {
    const { sub, sid, jti } = payload;
    if (!isUuid(sub) || !isUuid(sid) || typeof jti !== 'string') return undefined;
    const suffix = jti.startsWith(sid) && jti.charCodeAt(sid.length) === 46 ? jti.slice(sid.length + 1) : '';
    if (!GENERATION.test(suffix)) return undefined;
    return { userId: sub, sessionId: sid, generation: Number(suffix) };
  }
}

/**
 * passport-jwt 4 verifies every token through its static `Strategy.JwtVerifier` (jsonwebtoken,
 * which decodes the header twice before a key callback could look at it); it has no
 * per-strategy option. A strategy whose key is a TokenVerifier is verified by it instead; any
 * other passport-jwt strategy still goes to jsonwebtoken. Benchmark scenarios: `verify`, `refresh`.
 */
type PassportJwtVerify = (token: string, key: unknown, options: unknown, done: (error: Error | null, claims?: object) => void) => void;
const passportJwt = Strategy as unknown as { JwtVerifier: PassportJwtVerify };
const jsonwebtokenVerify = passportJwt.JwtVerifier;
passportJwt.JwtVerifier = (token, key, options, done) => {
  if (!(key instanceof TokenVerifier)) return jsonwebtokenVerify(token, key, options, done);
  const claims: object | undefined = key.verify(token);
  if (claims) done(null, claims);
  else done(key.rejection());
};

/**
 * What a guard throws when passport did not authenticate: the error `validate` threw (revoked
 * session), else the verifier's rejection (token_invalid), else passport-jwt's "No auth token"
 * (token_missing). Decided from passport's outcome, without looking at the request again.
 */
export function authenticationFailure(kind: TokenKind, error: unknown, info: unknown): AppException {
  if (error) return error instanceof AppException ? error : new TokenInvalidException(kind);
  return info instanceof AppException ? info : new TokenMissingException(kind);
}

/** passport-jwt's Strategy as the two strategies construct it: the key is a TokenVerifier. */
export interface VerifyingStrategyOptions {
  /** The token, or null when the request carries none (token_missing). */
  jwtFromRequest: (request: FastifyRequest) => string | null;
  secretOrKey: TokenVerifier<object>;
}
export const VerifyingStrategy = Strategy as unknown as new (
  options: VerifyingStrategyOptions,
  verify: (claims: object, done: (error: unknown, user?: unknown) => void) => void,
) => Strategy;
