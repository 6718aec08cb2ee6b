import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/app.exception.js';

/** RFC 6750: a bearer-protected route says how to authenticate; `invalid_token` once one was sent. */
const bearerChallenge = (tokenSent: boolean) => ({
  'WWW-Authenticate': tokenSent ? 'Bearer error="invalid_token"' : 'Bearer',
});

export class InvalidCredentialsException extends AppException {
  constructor() {
    super(HttpStatus.UNAUTHORIZED, 'invalid_credentials', 'Invalid credentials', 'The email or password is incorrect.');
  }
}

export class TokenMissingException extends AppException {
  constructor(kind: 'access' | 'refresh') {
    super(
      HttpStatus.UNAUTHORIZED,
      'token_missing',
      'Token missing',
      kind === 'access' ? 'Send an access token as `Authorization: Bearer <token>`.' : 'Send the refresh token.',
      undefined,
      kind === 'access' ? bearerChallenge(false) : undefined,
    );
  }
}

export class TokenInvalidException extends AppException {
  constructor(kind: 'access' | 'refresh') {
    super(
      HttpStatus.UNAUTHORIZED,
      'token_invalid',
      'Token invalid',
      `The ${kind} token is malformed, expired or not signed by this service.`,
      undefined,
      kind === 'access' ? bearerChallenge(true) : undefined,
    );
  }
}

export class SessionRevokedException extends AppException {
  constructor(kind: 'access' | 'refresh') {
    super(
      HttpStatus.UNAUTHORIZED,
      'session_revoked',
      'Session revoked',
      'The session has ended (logged out, revoked or expired); sign in again.',
      undefined,
      kind === 'access' ? bearerChallenge(true) : undefined,
    );
  }
}

export class RefreshTokenReusedException extends AppException {
  constructor() {
    super(
      HttpStatus.UNAUTHORIZED,
      'refresh_token_reused',
      'Refresh token reused',
      'An already-used refresh token was presented; the session has been revoked. Sign in again.',
    );
  }
}

export class RegistrationClosedException extends AppException {
  constructor() {
    super(HttpStatus.FORBIDDEN, 'forbidden', 'Registration closed', 'Self-service registration is disabled.');
  }
}

export class CookieNeedsJsonException extends AppException {
  constructor() {
    super(
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      'unsupported_media_type',
      'Unsupported media type',
      'Requests authenticated by the refresh cookie must be sent as application/json.',
    );
  }
}
