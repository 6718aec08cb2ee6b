import { NotFoundException } from '../common/app.exception.js';

/** Not an active session of the caller (also the answer to an id that is not a UUID). */
export class SessionNotFoundException extends NotFoundException {
  constructor() {
    super('No active session with this id.');
  }
}
