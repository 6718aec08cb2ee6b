import type { INestApplication } from '@nestjs/common';
import {
  DocumentBuilder,
  SwaggerModule,
  type HeadersObject,
  type OpenAPIObject,
  type OperationObject,
  type ResponseObject,
  type ServerObject,
} from '@nestjs/swagger';
import { BEARER_SCHEME, REFRESH_COOKIE, REFRESH_COOKIE_SCHEME } from './auth/auth.decorator.js';
import { INTERNAL_ERROR, problemType } from './problem-details.filter.js';
import { PROBLEM_MEDIA_TYPE, RATE_LIMIT_WINDOWS } from './problem.dto.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** The OpenAPI document /docs-json serves (and `npm run lint:openapi` lints). */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Auth service')
      .setDescription(
        'Short-lived JWT access tokens, rotating refresh tokens with reuse detection, per-device sessions. ' +
          'Register or log in, copy `accessToken`, click **Authorize**. Errors are RFC 9457 problem documents.',
      )
      .setVersion('1')
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'The `accessToken` of register, login or refresh. Issued and verified following RFC8725 (JWT best ' +
            'current practices): one algorithm per key, never `none`; explicit `typ` (`at+jwt`), issuer, audience and expiry checked.',
        },
        BEARER_SCHEME,
      )
      .addCookieAuth(
        REFRESH_COOKIE,
        {
          type: 'apiKey',
          in: 'cookie',
          name: REFRESH_COOKIE,
          description:
            'The HttpOnly refresh cookie that register, login and refresh set (REFRESH_TOKEN_TRANSPORT `cookie` or `both`); ' +
            'a browser sends it by itself. Clients without cookies send `refreshToken` in the body instead.',
        },
        REFRESH_COOKIE_SCHEME,
      )
      .addTag('auth', 'Register, log in, rotate and end sessions; the public keys of access tokens.')
      .addTag('users', 'The caller’s profile and password; the user list for admins.')
      .addTag('sessions', 'The caller’s devices and security events.')
      .addTag('health', 'Liveness and readiness probes for orchestrators.')
      .build(),
  );
  // Relative: the origin that serves these docs, whichever environment it is.
  const server: ServerObject & { 'x-internal': boolean } = {
    url: '/',
    description: 'This deployment (local, staging or production): the origin serving this page.',
    'x-internal': false,
  };
  document.servers = [server];
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      documentRateLimitHeaders(operation);
      operation.responses['500'] ??= INTERNAL_ERROR_RESPONSE;
    }
  }
  return document;
}

/** ProblemDetailsFilter's answer to anything unexpected: logged, never echoed. */
const INTERNAL_ERROR_RESPONSE: ResponseObject = {
  description: 'Unexpected failure (`internal_error`): logged with the request id, no detail reaches the client.',
  content: {
    [PROBLEM_MEDIA_TYPE]: {
      schema: { $ref: '#/components/schemas/ProblemDto' },
      examples: {
        [INTERNAL_ERROR.code]: {
          summary: INTERNAL_ERROR.title,
          value: { type: problemType(INTERNAL_ERROR.code), title: INTERNAL_ERROR.title, status: 500, code: INTERNAL_ERROR.code },
        },
      },
    },
  },
};

/**
 * @nestjs/throttler names its headers after the window (`X-RateLimit-Limit-ip`). They go on every
 * answer of a limited route once the limiter has run, so they are added here to each 2XX/4XX
 * response of the operations ApiRateLimitedResponse marked, and the marker is removed.
 */
function documentRateLimitHeaders(operation: OperationObject): void {
  const record = operation as unknown as Record<string, unknown>;
  const windows = record[RATE_LIMIT_WINDOWS] as string[] | undefined;
  if (!windows) return;
  delete record[RATE_LIMIT_WINDOWS];
  const counters: HeadersObject = {};
  const retries: HeadersObject = {};
  for (const window of windows) {
    const integer = (description: string, maximum: number) => ({
      description: `${description} (window \`${window}\`; absent with THROTTLE_ENABLED=false).`,
      schema: { type: 'integer' as const, format: 'int32', minimum: 0, maximum },
    });
    counters[`X-RateLimit-Limit-${window}`] = integer('Requests allowed in the window', 2_147_483_647);
    counters[`X-RateLimit-Remaining-${window}`] = integer('Requests left in the window', 2_147_483_647);
    counters[`X-RateLimit-Reset-${window}`] = integer('Seconds until the window resets', 2_147_483_647);
    retries[`Retry-After-${window}`] = integer('Seconds until this window lets requests through again', 2_147_483_647);
  }
  for (const [status, response] of Object.entries(operation.responses)) {
    if (!/^[24]/.test(status) || !response || !('description' in response)) continue;
    response.headers = { ...response.headers, ...(status === '429' ? retries : counters) };
  }
}
