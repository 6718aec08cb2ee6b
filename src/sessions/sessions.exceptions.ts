import { NotFoundException } from '../common/app.exception.js';

/** Not an active session of the caller. */
export class SessionNotFoundException extends NotFoundException {
  constructor() {
    super('No active session with this id.');
  }
}
