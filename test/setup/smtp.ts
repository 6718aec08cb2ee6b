import { simpleParser } from 'mailparser';
import { createServer, type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { waitFor } from './wait.js';

export interface CapturedMail {
  /** Envelope recipients, lower-cased. */
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  receivedAt: number;
}

/** A port nobody listens on right now (for an SMTP server that starts later). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * A real SMTP server in the test process (smtp-server: no STARTTLS, no auth), capturing every
 * message it accepts, parsed by mailparser. `url` is what SMTP_URL points at.
 */
export class TestSmtpServer {
  private readonly taken = new Set<CapturedMail>();

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
    /** Every message received, oldest first. */
    readonly mails: CapturedMail[],
  ) {}

  static smtpUrl(port: number): string {
    return `smtp://127.0.0.1:${port}`;
  }

  get url(): string {
    return TestSmtpServer.smtpUrl(this.port);
  }

  /** Listens on `port` (or a free one). */
  static async start(port = 0): Promise<TestSmtpServer> {
    const mails: CapturedMail[] = [];
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((parsed) => {
            mails.push({
              to: (session.envelope.rcptTo ?? []).map((address) => address.address.toLowerCase()),
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              receivedAt: Date.now(),
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return new TestSmtpServer(server, (server.server.address() as AddressInfo).port, mails);
  }

  /** Every mail received for `address` so far, oldest first. */
  mailsTo(address: string): CapturedMail[] {
    return this.mails.filter((mail) => mail.to.includes(address.toLowerCase()));
  }

  /**
   * The oldest mail to `address` (matching `subject`, when given) that no earlier call returned;
   * waits up to `timeoutMs` for it.
   */
  async waitForMail(address: string, options: { subject?: RegExp; timeoutMs?: number } = {}): Promise<CapturedMail> {
    const mail = await waitFor(
      () => this.mailsTo(address).find((candidate) => !this.taken.has(candidate) && (!options.subject || options.subject.test(candidate.subject))),
      options.timeoutMs ?? 5000,
    );
    this.taken.add(mail);
    return mail;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** The link a mail carries, from its text part; the HTML part must carry the same one. */
export function linkOf(mail: Pick<CapturedMail, 'text' | 'html'>): URL {
  const match = /https?:\/\/\S+\?token=[A-Za-z0-9_-]+/.exec(mail.text);
  if (!match) throw new Error(`no link in mail: ${mail.text}`);
  if (!mail.html.includes(`href="${match[0]}"`)) throw new Error('the HTML part does not carry the text part’s link');
  return new URL(match[0]);
}

/** The `token` query parameter of the mail's link. */
export const tokenOf = (mail: Pick<CapturedMail, 'text' | 'html'>): string => linkOf(mail).searchParams.get('token')!;
