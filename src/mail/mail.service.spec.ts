import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { ConfigService } from '@nestjs/config';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { AllConfig } from '../config/config.types.js';
import { MAIL_RESULT, type MailResultEvent } from './mail.events.js';
import { DEFAULT_MAIL_QUEUE, MailService, type MailQueueOptions } from './mail.service.js';
import { MailTemplates } from './mail.templates.js';
import type { MailTransport, OutgoingMail } from './mail.transport.js';

const config = { get: () => 'Auth <auth@example.test>' } as unknown as ConfigService<AllConfig, true>;
const RESET = { kind: 'password_reset', to: 'ada@example.com', values: { email: 'ada@example.com', link: 'https://app/x?token=t', ttl: '1 hour' } } as const;

function setup(send: MailTransport['send'], options: Partial<MailQueueOptions> = {}) {
  const transport = { send: jest.fn(send), close: jest.fn(() => undefined) };
  const events = new EventEmitter2();
  const results: MailResultEvent[] = [];
  events.on(MAIL_RESULT, (event: MailResultEvent) => results.push(event));
  const service = new MailService(config, transport, { ...DEFAULT_MAIL_QUEUE, ...options }, new MailTemplates(), events);
  return { service, transport, results };
}

/** Lets the queued promise chains run between timer steps. */
const flush = async () => {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
};

describe('MailService', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('renders the mail, hands it to the transport without the caller waiting, and reports it sent', async () => {
    const { service, transport, results } = setup(() => Promise.resolve());

    expect(service.send(RESET)).toBeUndefined();
    await flush();

    const mail = transport.send.mock.calls[0][0] as OutgoingMail;
    expect(mail).toMatchObject({ kind: 'password_reset', from: 'Auth <auth@example.test>', to: 'ada@example.com', subject: 'Reset your password', link: RESET.values.link });
    expect(mail.text).toContain(RESET.values.link);
    expect(mail.html).toContain(`href="${RESET.values.link}"`);
    expect(results).toEqual([{ kind: 'password_reset', result: 'sent' }]);
    expect(service.counts).toEqual({ sent: 1, failed: 0 });
  });

  it('retries with exponential back-off and reports one final result', async () => {
    let calls = 0;
    const { service, transport, results } = setup(() => (++calls < 3 ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve()));

    service.send(RESET);
    await flush();
    expect(transport.send).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(999);
    expect(transport.send).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(transport.send).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(2000);
    expect(transport.send).toHaveBeenCalledTimes(3);
    expect(results).toEqual([{ kind: 'password_reset', result: 'sent' }]);
  });

  it('gives up after the bounded attempts, counts the failure and reports it once', async () => {
    const { service, transport, results } = setup(() => Promise.reject(new Error('550 rejected')), { attempts: 3 });

    service.send(RESET);
    await jest.advanceTimersByTimeAsync(60_000);

    expect(transport.send).toHaveBeenCalledTimes(3);
    expect(results).toEqual([{ kind: 'password_reset', result: 'failed' }]);
    expect(service.counts).toEqual({ sent: 0, failed: 1 });
    expect(service.queued).toBe(0);
  });

  it('drops mails past the queue bound instead of growing without end', async () => {
    const { service, results } = setup(() => new Promise(() => undefined), { maxPending: 2 });

    service.send(RESET);
    service.send(RESET);
    service.send(RESET);

    expect(service.queued).toBe(2);
    expect(results).toEqual([{ kind: 'password_reset', result: 'failed' }]);
  });

  it('at shutdown retries waiting mails at once, waits for them, then closes the transport', async () => {
    let calls = 0;
    const { service, transport, results } = setup(() => (++calls === 1 ? Promise.reject(new Error('down')) : Promise.resolve()));

    service.send(RESET);
    await flush();
    const shutdown = service.onApplicationShutdown();
    await jest.advanceTimersByTimeAsync(0);
    await shutdown;

    expect(transport.send).toHaveBeenCalledTimes(2);
    expect(results).toEqual([{ kind: 'password_reset', result: 'sent' }]);
    expect(transport.close).toHaveBeenCalled();
  });

  it('waits at most drainMs at shutdown for a mail that never completes', async () => {
    const { service, transport } = setup(() => new Promise(() => undefined), { drainMs: 500 });

    service.send(RESET);
    const shutdown = service.onApplicationShutdown();
    await jest.advanceTimersByTimeAsync(500);
    await shutdown;

    expect(transport.close).toHaveBeenCalled();
    expect(service.queued).toBe(1);
  });
});
