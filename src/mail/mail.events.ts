/**
 * Published once per mail when its delivery is settled (after the last retry when it failed):
 *
 *   @OnEvent(MAIL_RESULT) count(event: MailResultEvent) { ... }
 */
export const MAIL_RESULT = 'mail.result';

export interface MailResultEvent {
  kind: string;
  result: 'sent' | 'failed';
}
