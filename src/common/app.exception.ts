import { HttpStatus } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

export interface ProblemOptions {
  status: HttpStatus;
  /** The stable machine-readable value of API.md's table. */
  code: string;
  title: string;
  detail?: string;
  errors?: FieldError[];
  /** Extra response headers (WWW-Authenticate, Retry-After). */
  headers?: Record<string, string>;
}

/**
 * Base of every error the service means to show a client; ProblemDetailsFilter renders it as an
 * RFC 9457 document.
 */
export class AppException extends Error {
  readonly status: HttpStatus;
  readonly code: string;
  readonly title: string;
  readonly detail?: string;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;

  constructor(problem: ProblemOptions) {
    super(problem.detail ?? problem.title);
    this.name = new.target.name;
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.errors = problem.errors;
    this.headers = problem.headers;
  }
}

export class ValidationFailedException extends AppException {
  constructor(errors: FieldError[], detail = 'The request is not valid.') {
    super({ status: HttpStatus.BAD_REQUEST, code: 'validation_failed', title: 'Validation failed', detail, errors });
  }
}

export class NotFoundException extends AppException {
  constructor(detail = 'The resource does not exist.') {
    super({ status: HttpStatus.NOT_FOUND, code: 'not_found', title: 'Not found', detail });
  }
}

export class ForbiddenException extends AppException {
  constructor(detail = 'You do not have permission to do this.') {
    super({ status: HttpStatus.FORBIDDEN, code: 'forbidden', title: 'Forbidden', detail });
  }
}

export class RateLimitedException extends AppException {
  constructor(retryAfterSeconds: number) {
    super({
      status: HttpStatus.TOO_MANY_REQUESTS,
      code: 'rate_limited',
      title: 'Too many requests',
      detail: 'Slow down and retry later.',
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
  }
}
