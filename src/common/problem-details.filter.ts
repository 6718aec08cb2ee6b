import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppException } from './app.exception.js';

/** Problem types are URNs named after the stable `code`; clients switch on `code`. */
export const problemType = (code: string) => `urn:problem-type:auth-service:${code}`;

/** Fastify's own client errors (body parsing), surfaced by Nest as HttpExceptions with `cause.code`. */
export const FASTIFY_PROBLEMS: Record<string, { code: string; title: string; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'payload_too_large',
    title: 'Payload too large',
    detail: 'The request body is larger than the limit.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    title: 'Unsupported media type',
    detail: 'Send the body as application/json.',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: 'validation_failed',
    title: 'Validation failed',
    detail: 'The body is not valid JSON.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'validation_failed',
    title: 'Validation failed',
    detail: 'The body is empty; send a JSON object.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'validation_failed',
    title: 'Validation failed',
    detail: 'The Content-Length header does not match the body.',
  },
};

const CODES_BY_STATUS: Record<number, string> = {
  400: 'validation_failed',
  401: 'token_invalid',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'service_unavailable',
};

interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  code: string;
  errors?: { field: string; message: string }[];
}

/**
 * Turns every error into an RFC 9457 problem document. Only AppException text and a fixed
 * vocabulary reach the client; anything unexpected is logged and answered with a bare 500.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { problem, headers } = this.toProblem(exception);
    problem.instance = request.url.split('?')[0];
    if (problem.status >= 500) {
      this.logger.error({ err: exception, requestId: request.id }, 'Unhandled error');
    }
    for (const [name, value] of Object.entries(headers ?? {})) void reply.header(name, value);
    void reply.status(problem.status).type('application/problem+json').send(problem);
  }

  private toProblem(exception: unknown): { problem: Problem; headers?: Record<string, string> } {
    if (exception instanceof AppException) {
      return {
        problem: {
          type: problemType(exception.code),
          title: exception.title,
          status: exception.status,
          detail: exception.detail,
          code: exception.code,
          errors: exception.errors,
        },
        headers: exception.headers,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const fastifyCode = (exception.cause as { code?: string } | undefined)?.code;
      const known = fastifyCode ? FASTIFY_PROBLEMS[fastifyCode] : undefined;
      if (known) {
        return { problem: { type: problemType(known.code), status, ...known } };
      }
      if (status < 500 || status === HttpStatus.SERVICE_UNAVAILABLE) {
        const code = CODES_BY_STATUS[status] ?? 'client_error';
        return { problem: { type: problemType(code), title: reasonPhrase(status), status, code } };
      }
    }
    const { code, title } = INTERNAL_ERROR;
    return { problem: { type: problemType(code), title, status: HttpStatus.INTERNAL_SERVER_ERROR, code } };
  }
}

/** The answer to anything unexpected: no detail, whatever the error was. */
export const INTERNAL_ERROR = { code: 'internal_error', title: 'Internal server error' } as const;

function reasonPhrase(status: number): string {
  const name = HttpStatus[status] ?? 'Error';
  return name.charAt(0) + name.slice(1).toLowerCase().replaceAll('_', ' ');
}
