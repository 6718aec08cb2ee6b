import { HttpStatus } from '@nestjs/common';
import { AppException, ValidationFailedException } from '../common/app.exception.js';

export class EmailTakenException extends AppException {
  constructor() {
    super({
      status: HttpStatus.CONFLICT,
      code: 'email_taken',
      title: 'Email already registered',
      detail: 'An account with this email already exists.',
    });
  }
}

export class WrongCurrentPasswordException extends ValidationFailedException {
  constructor() {
    super([{ field: 'currentPassword', message: 'currentPassword is incorrect' }], 'The current password is incorrect.');
  }
}

/** The detail of the 404 for an account id that does not exist. */
export const NO_SUCH_USER = 'The user does not exist.';
