import { describe, expect, it } from '@jest/globals';
import { MAIL_KINDS, MailTemplates } from './mail.templates.js';

const VALUES = { email: 'ada@example.com', newEmail: 'ada@new.example.com', link: 'https://app.example/verify-email?token=abc', ttl: '24 hours' };

describe('MailTemplates', () => {
  const templates = new MailTemplates();

  it.each(MAIL_KINDS)('renders %s as a subject, a text part and an HTML part with no placeholder left', (kind) => {
    const mail = templates.render(kind, VALUES);

    expect(mail.subject.length).toBeGreaterThan(0);
    for (const part of [mail.subject, mail.text, mail.html]) expect(part).not.toMatch(/\{\{|\}\}/);
    expect(mail.html).toMatch(/^<!doctype html>/i);
  });

  it.each(['password_reset', 'email_verification', 'email_change'] as const)('puts the link in both parts of %s', (kind) => {
    const mail = templates.render(kind, VALUES);

    expect(mail.text).toContain(VALUES.link);
    expect(mail.html).toContain(`href="${VALUES.link}"`);
    expect(mail.text).toContain(VALUES.ttl);
  });

  it('escapes values in the HTML part only', () => {
    const mail = templates.render('email_change_notice', { email: 'a@example.com', newEmail: '<b>"x"&</b>@example.com' });

    expect(mail.html).toContain('&lt;b&gt;&quot;x&quot;&amp;&lt;/b&gt;@example.com');
    expect(mail.html).not.toContain('<b>"x"');
    expect(mail.text).toContain('<b>"x"&</b>@example.com');
  });

  it('refuses to render a mail whose template needs a value it was not given', () => {
    expect(() => templates.render('password_reset', { email: 'ada@example.com', ttl: '1 hour' })).toThrow('{{link}}');
  });
});
