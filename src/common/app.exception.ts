import { HttpStatus } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

/**
 * Base of every error the service means to show a client. `code` is the stable machine-readable
 * value of API.md's table; ProblemDetailsFilter renders it as an RFC 9457 document.
 */
export class AppException extends Error {
  constructor(
    readonly status: HttpStatus,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    /** Extra response headers (WWW-Authenticate, Retry-After). */
    readonly headers?: Record<string, string>,
  ) {
    super(detail ?? title);
    this.name = new.target.name;
  }
}

export class ValidationFailedException extends AppException {
  constructor(errors: FieldError[], detail = 'The request is not valid.') {
    super(HttpStatus.BAD_REQUEST, 'validation_failed', 'Validation failed', detail, errors);
  }
}

export class NotFoundException extends AppException {
  constructor(detail = 'The resource does not exist.') {
    super(HttpStatus.NOT_FOUND, 'not_found', 'Not found', detail);
  }
}

export class ForbiddenException extends AppException {
  constructor(detail = 'You do not have permission to do this.') {
    super(HttpStatus.FORBIDDEN, 'forbidden', 'Forbidden', detail);
  }
}

export class RateLimitedException extends AppException {
  constructor(retryAfterSeconds: number) {
    super(HttpStatus.TOO_MANY_REQUESTS, 'rate_limited', 'Too many requests', 'Slow down and retry later.', undefined, {
      'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
    });
  }
}
