import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const MAIL_KINDS = ['password_reset', 'email_verification', 'email_change', 'email_change_notice'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** Beside this file in src/ and, through nest-cli.json's `assets`, in dist/. */
const TEMPLATES_DIR = fileURLToPath(new URL('./templates/', import.meta.url));

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

function fill(template: string, values: Record<string, string>, escape: (value: string) => string): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`mail template needs {{${key}}}`);
    return escape(value);
  });
}

/**
 * The mails' text and HTML, one `<kind>.txt` and `<kind>.html` pair per kind in templates/. The
 * text file's first line is `Subject: ...`. `{{name}}` placeholders are filled, HTML-escaped in
 * the HTML part. Read once at start-up, so a missing file stops the service instead of a mail.
 */
export class MailTemplates {
  private readonly templates = new Map<MailKind, { subject: string; text: string; html: string }>();

  constructor(dir = TEMPLATES_DIR) {
    for (const kind of MAIL_KINDS) {
      const [first, ...rest] = readFileSync(`${dir}${kind}.txt`, 'utf8').split('\n');
      const subject = /^Subject: (.+)$/.exec(first)?.[1];
      if (!subject) throw new Error(`mail template ${kind}.txt must start with a "Subject: " line`);
      this.templates.set(kind, { subject, text: rest.join('\n').trimStart(), html: readFileSync(`${dir}${kind}.html`, 'utf8') });
    }
  }

  render(kind: MailKind, values: Record<string, string>): RenderedMail {
    const template = this.templates.get(kind)!;
    return {
      subject: fill(template.subject, values, (value) => value),
      text: fill(template.text, values, (value) => value),
      html: fill(template.html, values, escapeHtml),
    };
  }
}
