import { Inject, Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Counter, Registry } from 'prom-client';

/** The application event the mail module publishes after each delivery attempt. */
export const MAIL_RESULT_EVENT = 'mail.result';

export interface MailResultEvent {
  kind: string;
  result: 'sent' | 'failed';
}

/** `auth_mails_total{kind,result}`, fed by the mail module's events (it does not know this module). */
@Injectable()
export class MailMetricsListener {
  private readonly mails: Counter<'kind' | 'result'>;

  constructor(@Inject(Registry) registry: Registry) {
    this.mails = new Counter({
      name: 'auth_mails_total',
      help: 'Account mails (verification, password reset, ...) by kind and delivery result.',
      labelNames: ['kind', 'result'],
      registers: [registry],
    });
  }

  @OnEvent(MAIL_RESULT_EVENT)
  onMailResult(event: MailResultEvent): void {
    this.mails.inc({ kind: event.kind, result: event.result });
  }
}
