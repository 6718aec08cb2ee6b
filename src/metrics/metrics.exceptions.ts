import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/app.exception.js';

export class MetricsTokenMissingException extends AppException {
  constructor() {
    super({
      status: HttpStatus.UNAUTHORIZED,
      code: 'token_missing',
      title: 'Token missing',
      detail: 'Send the metrics token as `Authorization: Bearer <token>`.',
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  }
}

export class MetricsTokenInvalidException extends AppException {
  constructor() {
    super({
      status: HttpStatus.UNAUTHORIZED,
      code: 'token_invalid',
      title: 'Token invalid',
      detail: 'The metrics token is wrong.',
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
    });
  }
}
