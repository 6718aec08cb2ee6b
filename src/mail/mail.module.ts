import { Global, Module, type DynamicModule, type Type } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../config/config.types.js';
import { LogMailTransport } from './log-mail.transport.js';
import { DEFAULT_MAIL_QUEUE, MAIL_QUEUE_OPTIONS, MailService, type MailQueueOptions } from './mail.service.js';
import { MailTemplates } from './mail.templates.js';
import { MAIL_TRANSPORT, type MailTransport } from './mail.transport.js';
import { SmtpMailTransport } from './smtp-mail.transport.js';

export interface MailModuleOptions {
  /** A team's own transport (an injectable class), instead of SMTP_URL / the log. */
  transport?: Type<MailTransport>;
  queue?: Partial<MailQueueOptions>;
}

/**
 * MailService for every feature module. The transport is SMTP with SMTP_URL, else the log
 * (production refuses to start without SMTP_URL), unless `forRoot({ transport })` names another.
 */
@Global()
@Module({})
export class MailModule {
  static forRoot(options: MailModuleOptions = {}): DynamicModule {
    return {
      module: MailModule,
      providers: [
        MailService,
        { provide: MailTemplates, useFactory: () => new MailTemplates() },
        { provide: MAIL_QUEUE_OPTIONS, useValue: { ...DEFAULT_MAIL_QUEUE, ...options.queue } },
        options.transport
          ? { provide: MAIL_TRANSPORT, useClass: options.transport }
          : {
              provide: MAIL_TRANSPORT,
              inject: [ConfigService],
              useFactory: (config: ConfigService<AllConfig, true>): MailTransport => {
                const smtpUrl = config.get('mail.smtpUrl', { infer: true });
                return smtpUrl ? new SmtpMailTransport(smtpUrl) : new LogMailTransport();
              },
            },
      ],
      exports: [MailService],
    };
  }
}
