import type { MailConfig } from './config.types.js';
import type { EnvReader } from './env-reader.js';

export function mailConfig(env: EnvReader, production: boolean): MailConfig {
  const smtpUrl = env.url('SMTP_URL');
  if (production && !smtpUrl) env.problem('SMTP_URL is required in production');
  return {
    smtpUrl,
    from: env.string('MAIL_FROM') ?? 'no-reply@localhost',
    appUrl: (env.url('APP_URL') ?? 'http://localhost:3000').replace(/\/+$/, ''),
  };
}
