import { createTransport, type Transporter } from 'nodemailer';
import type { MailTransport, OutgoingMail } from './mail.transport.js';

/**
 * nodemailer over SMTP_URL (`smtp://user:pass@host:587`, `smtps://...` for implicit TLS). A
 * pooled connection, opened on the first mail: a server that is down at start-up does not stop
 * the service, and MailService retries what it refuses.
 */
export class SmtpMailTransport implements MailTransport {
  private readonly transporter: Transporter;

  constructor(smtpUrl: string) {
    const url = new URL(smtpUrl);
    this.transporter = createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      secure: url.protocol === 'smtps:',
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      pool: true,
      maxConnections: 2,
      // A dead or stalled server fails the attempt quickly, so the back-off schedule decides.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transporter.sendMail({ from: mail.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
  }

  close(): void {
    this.transporter.close();
  }
}
