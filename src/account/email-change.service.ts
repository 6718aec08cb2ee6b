import { Injectable } from '@nestjs/common';
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

  async request(userId: string, newEmail: string, currentPassword: string): Promise<void> {
    const user = await this.users.checkCurrentPassword(userId, currentPassword);
    // Checked again when the link is opened: the unique index decides then.
    if (await this.users.findByEmail(newEmail)) throw new EmailTakenException();
    await this.links.send('email_change', user.id, newEmail);
    this.links.noticeEmailChange(user.email, newEmail);
  }
}
