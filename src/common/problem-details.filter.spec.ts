import { describe, expect, it, jest } from '@jest/globals';
import { BadRequestException, HttpException, HttpStatus, Logger, NotFoundException, type ArgumentsHost } from '@nestjs/common';
import { errorCodes } from 'fastify';
import { TokenMissingException } from './auth/token.exceptions.js';
import { EmailTakenException } from '../users/users.exceptions.js';
import { AppException, RateLimitedException, ValidationFailedException } from './app.exception.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';

/** A Fastify reply double that records what the filter sends. */
function fakeReply() {
  const reply = {
    statusCode: undefined as number | undefined,
    contentType: undefined as string | undefined,
    headers: {} as Record<string, string>,
    body: undefined as Record<string, unknown> | undefined,
    header(name: string, value: string) {
      reply.headers[name.toLowerCase()] = value;
      return reply;
    },
    status(code: number) {
      reply.statusCode = code;
      return reply;
    },
    type(value: string) {
      reply.contentType = value;
      return reply;
    },
    send(payload: Record<string, unknown>) {
      reply.body = payload;
      return reply;
    },
  };
  return reply;
}

/** Runs the filter on `exception` for a request to `url`; returns the reply and what was logged as an error. */
function render(exception: unknown, url = '/api/v1/things?page=2') {
  const reply = fakeReply();
  const request = { url, id: 'req-1' };
  const host = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply, getNext: () => undefined }),
    getType: () => 'http',
  } as unknown as ArgumentsHost;
  const spy = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  let errorLogs: unknown[][];
  try {
    new ProblemDetailsFilter().catch(exception, host);
  } finally {
    // mockRestore() also forgets the calls: keep a copy for the assertions.
    errorLogs = [...spy.mock.calls];
    spy.mockRestore();
  }
  return { reply, errorLogs };
}

describe('ProblemDetailsFilter', () => {
  it('renders an AppException with its status, code, title and detail as application/problem+json', () => {
    const { reply, errorLogs } = render(new EmailTakenException(), '/api/v1/auth/register?x=1');

    expect(reply.statusCode).toBe(409);
    expect(reply.contentType).toBe('application/problem+json');
    expect(reply.body).toEqual({
      type: 'urn:problem-type:auth-service:email_taken',
      title: 'Email already registered',
      status: 409,
      detail: 'An account with this email already exists.',
      code: 'email_taken',
      errors: undefined,
      instance: '/api/v1/auth/register',
    });
    expect(errorLogs).toEqual([]);
  });

  it('includes field errors of a validation failure', () => {
    const errors = [{ field: 'email', message: 'email must be an email' }];

    const { reply } = render(new ValidationFailedException(errors));

    expect(reply.statusCode).toBe(400);
    expect(reply.body).toMatchObject({ code: 'validation_failed', status: 400, errors });
  });

  it('sets the headers an AppException carries (WWW-Authenticate, Retry-After)', () => {
    expect(render(new TokenMissingException('access')).reply.headers).toEqual({ 'www-authenticate': 'Bearer' });
    const limited = render(new RateLimitedException(2.2)).reply;
    expect(limited.statusCode).toBe(429);
    expect(limited.headers).toEqual({ 'retry-after': '3' });
  });

  it('renders a custom AppException subclass by its own fields', () => {
    class TeapotException extends AppException {
      constructor() {
        super({ status: HttpStatus.I_AM_A_TEAPOT, code: 'teapot', title: 'I am a teapot' });
      }
    }

    const { reply } = render(new TeapotException());

    expect(reply.statusCode).toBe(418);
    expect(reply.body).toMatchObject({ status: 418, code: 'teapot', title: 'I am a teapot' });
  });

  it('answers an unknown Error with a bare 500 internal_error, logging it but leaking nothing', () => {
    const error = new Error('duplicate key value violates unique constraint "users_email_lower_key" SELECT * FROM users');

    const { reply, errorLogs } = render(error, '/api/v1/users/me');

    expect(reply.statusCode).toBe(500);
    expect(reply.contentType).toBe('application/problem+json');
    expect(reply.body).toEqual({
      type: 'urn:problem-type:auth-service:internal_error',
      title: 'Internal server error',
      status: 500,
      code: 'internal_error',
      instance: '/api/v1/users/me',
    });
    const sent = JSON.stringify(reply.body);
    expect(sent).not.toMatch(/duplicate|SELECT|users_email|stack|at /);
    expect(errorLogs).toHaveLength(1);
    expect(errorLogs[0][0]).toMatchObject({ err: error, requestId: 'req-1' });
  });

  it('answers an unreachable database with 503 service_unavailable and Retry-After, without driver text', () => {
    const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);

    const { reply, errorLogs } = render(Object.assign(new Error('Query failed'), { driverError: error }), '/api/v1/auth/login');
    warn.mockRestore();

    expect(reply.statusCode).toBe(503);
    expect(reply.headers['retry-after']).toBe('5');
    expect(reply.body).toMatchObject({ status: 503, code: 'service_unavailable', instance: '/api/v1/auth/login' });
    expect(JSON.stringify(reply.body)).not.toMatch(/ECONNREFUSED|5432|Query/);
    expect(errorLogs).toHaveLength(0);
  });

  it.each([
    ['a thrown string', 'boom'],
    ['undefined', undefined],
    ['a 500 HttpException with a message', new HttpException('database password is hunter2', 500)],
    ['a 502 HttpException', new HttpException('upstream said no', HttpStatus.BAD_GATEWAY)],
  ])('answers %s with a bare 500 internal_error', (_case, exception) => {
    const { reply } = render(exception);

    expect(reply.statusCode).toBe(500);
    expect(reply.body).toMatchObject({ code: 'internal_error', status: 500 });
    expect(reply.body).not.toHaveProperty('detail');
    expect(JSON.stringify(reply.body)).not.toMatch(/hunter2|upstream|boom/);
  });

  it("maps Fastify's body-too-large error (as Nest wraps it) to 413 payload_too_large", () => {
    const cause = new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
    expect(cause.code).toBe('FST_ERR_CTP_BODY_TOO_LARGE');

    const { reply, errorLogs } = render(new HttpException(cause.message, cause.statusCode!, { cause }));

    expect(reply.statusCode).toBe(413);
    expect(reply.body).toMatchObject({
      type: 'urn:problem-type:auth-service:payload_too_large',
      status: 413,
      code: 'payload_too_large',
      title: 'Payload too large',
    });
    expect(errorLogs).toEqual([]);
  });

  it.each([
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'unsupported_media_type'],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'validation_failed'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'validation_failed'],
  ] as const)("maps Fastify's %s to %i %s", (fastifyCode, status, code) => {
    const cause = Object.assign(new Error('fastify says no'), { code: fastifyCode, statusCode: status, name: 'FastifyError' });

    const { reply } = render(new HttpException(cause.message, status, { cause }));

    expect(reply.statusCode).toBe(status);
    expect(reply.body).toMatchObject({ status, code });
    expect(JSON.stringify(reply.body)).not.toContain('fastify says no');
  });

  it("renders Nest's own HttpExceptions by status, without their message", () => {
    const notFound = render(new NotFoundException('Cannot GET /api/v1/nope (internal route table)')).reply;
    expect(notFound.statusCode).toBe(404);
    expect(notFound.body).toEqual({
      type: 'urn:problem-type:auth-service:not_found',
      title: 'Not found',
      status: 404,
      code: 'not_found',
      instance: '/api/v1/things',
    });

    const badRequest = render(new BadRequestException('class-validator internals')).reply;
    expect(badRequest.body).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(JSON.stringify(badRequest.body)).not.toContain('internals');
  });

  it('answers 503 from a failing health check as service_unavailable, not as an internal error', () => {
    const { reply } = render(new HttpException({ status: 'error', details: {} }, HttpStatus.SERVICE_UNAVAILABLE));

    expect(reply.statusCode).toBe(503);
    expect(reply.body).toMatchObject({ status: 503, code: 'service_unavailable' });
  });
});
