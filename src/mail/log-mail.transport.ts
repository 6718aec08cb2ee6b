import { Logger } from '@nestjs/common';
import type { MailTransport, OutgoingMail } from './mail.transport.js';

/**
 * Without SMTP_URL outside production: each mail becomes one log line carrying its link, so a
 * fresh clone can reset a password or verify an email by copying it from the log.
 */
export class LogMailTransport implements MailTransport {
  private readonly logger = new Logger('Mail');

  send(mail: OutgoingMail): Promise<void> {
    this.logger.log(`mail not sent (no SMTP_URL): kind=${mail.kind} to=${mail.to}${mail.link ? ` link=${mail.link}` : ''}`);
    return Promise.resolve();
  }
}
