import { HttpStatus } from '@nestjs/common';
import { AppException } from '../app.exception.js';

/** Which token a route wanted: access (`Authorization: Bearer`) or refresh (body or cookie). */
export type TokenKind = 'access' | 'refresh';

/** RFC 6750: a bearer-protected route says how to authenticate; `invalid_token` once one was sent. */
const bearerChallenge = (tokenSent: boolean) => ({
  'WWW-Authenticate': tokenSent ? 'Bearer error="invalid_token"' : 'Bearer',
});

export class TokenMissingException extends AppException {
  constructor(kind: TokenKind = 'access') {
    super({
      status: HttpStatus.UNAUTHORIZED,
      code: 'token_missing',
      title: 'Token missing',
      detail: kind === 'access' ? 'Send an access token as `Authorization: Bearer <token>`.' : 'Send the refresh token.',
      headers: kind === 'access' ? bearerChallenge(false) : undefined,
    });
  }
}

export class TokenInvalidException extends AppException {
  constructor(kind: TokenKind = 'access') {
    super({
      status: HttpStatus.UNAUTHORIZED,
      code: 'token_invalid',
      title: 'Token invalid',
      detail: `The ${kind} token is malformed, expired or not signed by this service.`,
      headers: kind === 'access' ? bearerChallenge(true) : undefined,
    });
  }
}

export class SessionRevokedException extends AppException {
  constructor(kind: TokenKind = 'access') {
    super({
      status: HttpStatus.UNAUTHORIZED,
      code: 'session_revoked',
      title: 'Session revoked',
      detail: 'The session has ended (logged out, revoked or expired); sign in again.',
      headers: kind === 'access' ? bearerChallenge(true) : undefined,
    });
  }
}
