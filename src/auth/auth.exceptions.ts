import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/app.exception.js';

export class InvalidCredentialsException extends AppException {
  constructor() {
    super({
      status: HttpStatus.UNAUTHORIZED,
      code: 'invalid_credentials',
      title: 'Invalid credentials',
      detail: 'The email or password is incorrect.',
    });
  }
}

export class RefreshTokenReusedException extends AppException {
  constructor() {
    super({
      status: HttpStatus.UNAUTHORIZED,
      code: 'refresh_token_reused',
      title: 'Refresh token reused',
      detail: 'An already-used refresh token was presented; the session has been revoked. Sign in again.',
    });
  }
}

export class RegistrationClosedException extends AppException {
  constructor() {
    super({ status: HttpStatus.FORBIDDEN, code: 'forbidden', title: 'Registration closed', detail: 'Self-service registration is disabled.' });
  }
}

export class CookieNeedsJsonException extends AppException {
  constructor() {
    super({
      status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      code: 'unsupported_media_type',
      title: 'Unsupported media type',
      detail: 'Requests authenticated by the refresh cookie must be sent as application/json.',
    });
  }
}

export class AccountDisabledException extends AppException {
  constructor() {
    super({
      status: HttpStatus.FORBIDDEN,
      code: 'account_disabled',
      title: 'Account disabled',
      detail: 'An administrator has disabled this account.',
    });
  }
}

export class LastActiveAdminException extends AppException {
  constructor() {
    super({
      status: HttpStatus.CONFLICT,
      code: 'conflict',
      title: 'Conflict',
      detail: 'The change would leave no active admin.',
    });
  }
}

/** Only ever after a correct password (or a valid refresh token), so it tells a guesser nothing. */
export class EmailNotVerifiedException extends AppException {
  constructor() {
    super({
      status: HttpStatus.FORBIDDEN,
      code: 'email_not_verified',
      title: 'Email not verified',
      detail: 'Open the verification link mailed to this address first.',
    });
  }
}
