import { applyDecorators } from '@nestjs/common';
import {
  ApiExtension,
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
  type ExampleObject,
  type HeadersObject,
} from '@nestjs/swagger';
import { RateLimitedException, ValidationFailedException, type AppException, type FieldError } from './app.exception.js';
import { FASTIFY_PROBLEMS, problemType } from './problem-details.filter.js';

export class FieldErrorDto {
  @ApiProperty({ example: 'email' })
  field!: string;

  @ApiProperty({ example: 'email must be an email' })
  message!: string;
}

/** RFC 9457 problem document, as every error of the API is returned (application/problem+json). */
export class ProblemDto {
  @ApiProperty({ format: 'uri', example: 'urn:problem-type:auth-service:validation_failed' })
  type!: string;

  @ApiProperty({ example: 'Validation failed' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiPropertyOptional({ example: 'The request is not valid.' })
  detail?: string;

  @ApiPropertyOptional({ format: 'uri-reference', example: '/api/v1/auth/register', description: 'Path of the request that failed.' })
  instance?: string;

  @ApiProperty({ pattern: '^[a-z][a-z_]*$', example: 'validation_failed', description: 'Stable machine-readable error code.' })
  code!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'One entry per invalid field (`validation_failed`).' })
  errors?: FieldErrorDto[];
}

/** The media type of every error response (ProblemDetailsFilter). */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** A problem as the service words it: an AppException, or one of ProblemDetailsFilter's own. */
type ProblemText = Pick<AppException, 'code' | 'title' | 'detail' | 'errors'>;

/**
 * One documented case of an error response: an exception class (instantiated without
 * arguments), an exception instance, or `[name, problem]` when two cases share a code.
 */
export type ProblemCase = (new () => AppException) | ProblemText | readonly [name: string, problem: ProblemText];

/**
 * Documents an error response as it is served: `application/problem+json` with the ProblemDto
 * schema, with one named example per case, generated from the exception itself so that its
 * title and detail are written once (in the exception class).
 */
export function ApiProblems(
  status: number,
  description: string,
  cases: readonly ProblemCase[] = [],
  headers?: HeadersObject,
): MethodDecorator & ClassDecorator {
  const examples: Record<string, ExampleObject> = {};
  for (const entry of cases) {
    const [name, problem] = Array.isArray(entry) ? entry : [undefined, typeof entry === 'function' ? new entry() : entry];
    const { code, title, detail, errors } = problem as ProblemText;
    examples[name ?? code] = { summary: detail ?? title, value: { type: problemType(code), title, status, detail, code, errors } };
  }
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ApiResponse({
      status,
      description,
      ...(headers ? { headers } : {}),
      content: {
        [PROBLEM_MEDIA_TYPE]: {
          schema: { $ref: getSchemaPath(ProblemDto) },
          ...(cases.length ? { examples } : {}),
        },
      },
    }),
  );
}

/** A body that does not parse (Fastify's JSON parser, through ProblemDetailsFilter). */
export const INVALID_JSON = ['invalid_json', FASTIFY_PROBLEMS.FST_ERR_CTP_INVALID_JSON_BODY] as const;

/** A `validation_failed` example with these field errors, as the global ValidationPipe answers. */
export const fieldErrors = (...errors: FieldError[]) => new ValidationFailedException(errors);

/** 400 `validation_failed`: a body or query that the parser or the global ValidationPipe refuses. */
export const ApiValidationFailedResponse = (description: string, ...cases: ProblemCase[]) =>
  ApiProblems(400, `${description} (\`validation_failed\`).`, cases);

/** 415: a body that is not application/json (the only parser installed). */
export const ApiJsonOnlyResponse = (description = 'The body is not `application/json` (`unsupported_media_type`).') =>
  ApiProblems(415, description, [FASTIFY_PROBLEMS.FST_ERR_CTP_INVALID_MEDIA_TYPE]);

/** Marks a limited operation with its windows; createOpenApiDocument turns it into response headers. */
export const RATE_LIMIT_WINDOWS = 'x-rate-limit-windows';

/** 429 from AuthThrottlerGuard, with the `Retry-After` it sets; `windows` are the throttlers that apply. */
export const ApiRateLimitedResponse = (description: string, windows: readonly string[]) =>
  applyDecorators(
    ApiProblems(429, description, [new RateLimitedException(42)], {
      'Retry-After': {
        description: 'Seconds until the window resets.',
        schema: { type: 'integer', format: 'int32', minimum: 1, maximum: 2_147_483_647, example: 42 },
      },
    }),
    ApiExtension(RATE_LIMIT_WINDOWS, windows),
  );
