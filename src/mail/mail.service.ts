import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { AllConfig } from '../config/config.types.js';
import { MAIL_RESULT, type MailResultEvent } from './mail.events.js';
import { MailTemplates, type MailKind } from './mail.templates.js';
import { MAIL_TRANSPORT, type MailTransport, type OutgoingMail } from './mail.transport.js';

export interface MailQueueOptions {
  /** Delivery attempts per mail, the first included. */
  attempts: number;
  /** Back-off before retry n (1-based): baseDelayMs * 2^(n-1), at most maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Mails waiting or in flight; past it a new mail is dropped (and counted as failed). */
  maxPending: number;
  /** How long shutdown waits for the queue before giving up on what is left. */
  drainMs: number;
}

export const MAIL_QUEUE_OPTIONS = Symbol('MAIL_QUEUE_OPTIONS');

export const DEFAULT_MAIL_QUEUE: MailQueueOptions = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000, maxPending: 1000, drainMs: 5000 };

export interface MailRequest {
  kind: MailKind;
  to: string;
  /** Placeholder values of the kind's templates (`link` also goes to the log transport). */
  values: Record<string, string>;
}

/**
 * Sends mails in the background: `send` returns at once and never throws, so a mail can neither
 * slow down nor fail the request that caused it, nor tell its caller whether it went out. Each
 * mail is retried with exponential back-off; its final outcome is logged when it failed, counted,
 * and published as `mail.result`. Shutdown retries what is waiting at once and waits a bounded time.
 */
@Injectable()
export class MailService implements OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private readonly from: string;
  private readonly pending = new Set<Promise<void>>();
  /** Resolves the back-off waits early (shutdown). */
  private readonly wakers = new Set<() => void>();
  private stopping = false;
  readonly counts = { sent: 0, failed: 0 };

  constructor(
    config: ConfigService<AllConfig, true>,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
    @Inject(MAIL_QUEUE_OPTIONS) private readonly options: MailQueueOptions,
    private readonly templates: MailTemplates,
    private readonly events: EventEmitter2,
  ) {
    this.from = config.get('mail.from', { infer: true });
  }

  send(request: MailRequest): void {
    if (this.pending.size >= this.options.maxPending || this.stopping) {
      this.logger.error(`mail dropped: kind=${request.kind} (${this.stopping ? 'shutting down' : 'queue full'})`);
      this.settle(request.kind, 'failed');
      return;
    }
    let mail: OutgoingMail;
    try {
      mail = { kind: request.kind, from: this.from, to: request.to, link: request.values.link, ...this.templates.render(request.kind, request.values) };
    } catch (error) {
      this.logger.error(`mail not rendered: kind=${request.kind}: ${(error as Error).message}`);
      this.settle(request.kind, 'failed');
      return;
    }
    const job: Promise<void> = this.deliver(mail).finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  /** Mails waiting or in flight. */
  get queued(): number {
    return this.pending.size;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const wake of this.wakers) wake();
    if (this.pending.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.drainMs)));
      await Promise.race([Promise.allSettled([...this.pending]), deadline]);
      clearTimeout(timer);
      if (this.pending.size > 0) this.logger.error(`${this.pending.size} mail(s) still undelivered at shutdown`);
    }
    await this.transport.close?.();
  }

  private async deliver(mail: OutgoingMail): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.transport.send(mail);
        this.settle(mail.kind, 'sent');
        return;
      } catch (error) {
        const reason = (error as Error).message;
        if (attempt >= this.options.attempts || this.stopping) {
          this.logger.error(`mail failed: kind=${mail.kind} after ${attempt} attempt(s): ${reason}`);
          this.settle(mail.kind, 'failed');
          return;
        }
        const delay = Math.min(this.options.baseDelayMs * 2 ** (attempt - 1), this.options.maxDelayMs);
        this.logger.warn(`mail attempt ${attempt} failed: kind=${mail.kind}: ${reason}; retrying in ${delay} ms`);
        await this.backOff(delay);
      }
    }
  }

  private backOff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  private settle(kind: string, result: MailResultEvent['result']): void {
    this.counts[result] += 1;
    this.events.emit(MAIL_RESULT, { kind, result } satisfies MailResultEvent);
  }
}
