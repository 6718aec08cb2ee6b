import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/app.exception.js';

/** One answer for every link that cannot be used, so it tells nothing about why. */
export class LinkInvalidException extends AppException {
  constructor() {
    super({
      status: HttpStatus.BAD_REQUEST,
      code: 'link_invalid',
      title: 'Link invalid',
      detail: 'The link is unknown, already used, replaced by a newer one or expired. Ask for a new one.',
    });
  }
}
