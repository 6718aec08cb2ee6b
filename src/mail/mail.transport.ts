/** A rendered mail, ready to hand to a transport. */
export interface OutgoingMail {
  /** What the mail is for (`password_reset`, ...): a metrics label and a log field. */
  kind: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The link the mail carries, when it carries one (the log transport prints it). */
  link?: string;
}

/**
 * Where mails go. The built-in transports are SMTP (SMTP_URL) and the log (no SMTP_URL outside
 * production). A team with its own mailer (an HTTP mail API, a message bus) implements this and
 * passes it to `MailModule.forRoot({ transport })`; MailService keeps the queue, the retries and
 * the `mail.result` event. `send` rejects when the mail was not accepted, so it is retried.
 */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  /** Releases connections at shutdown, after the queue has drained. */
  close?(): Promise<void> | void;
}

/** Injection token of the active MailTransport. */
export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');
