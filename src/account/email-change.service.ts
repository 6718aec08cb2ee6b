import { Injectable } from '@nestjs/common';
import type { ClientContext } from '../common/client-context.decorator.js';
import { EmailTakenException } from '../users/users.exceptions.js';
import { UsersService } from '../users/users.service.js';
import { AccountLinksService } from './account-links.service.js';

/**
 * Email change: nothing changes until the link mailed to the new address is opened
 * (EmailVerificationService.verify applies it); the current address gets a notice.
 */
@Injectable()
export class EmailChangeService {
  constructor(
    private readonly users: UsersService,
    private readonly links: AccountLinksService,
  ) {}

  /** 400 on a wrong current password (recorded), 429 once the user is limited; nothing is mailed then. */
  async request(userId: string, newEmail: string, currentPassword: string, sessionId: string, client: ClientContext): Promise<void> {
    const user = await this.users.checkCurrentPassword(userId, currentPassword, 'email_change', sessionId, client);
    // Checked again when the link is opened: the unique index decides then.
    if (await this.users.findByEmail(newEmail)) throw new EmailTakenException();
    await this.links.send('email_change', user.id, newEmail);
    this.links.noticeEmailChange(user.email, newEmail);
  }
}
