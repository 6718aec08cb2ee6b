import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
  type ExampleObject,
  type HeadersObject,
} from '@nestjs/swagger';
import { problemType } from './problem-details.filter.js';

export class FieldErrorDto {
  @ApiProperty({ example: 'email' })
  field!: string;

  @ApiProperty({ example: 'email must be an email' })
  message!: string;
}

/** RFC 9457 problem document, as every error of the API is returned (application/problem+json). */
export class ProblemDto {
  @ApiProperty({ example: 'urn:problem-type:auth-service:validation_failed' })
  type!: string;

  @ApiProperty({ example: 'Validation failed' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiPropertyOptional({ example: 'The request is not valid.' })
  detail?: string;

  @ApiPropertyOptional({ example: '/api/v1/auth/register', description: 'Path of the request that failed.' })
  instance?: string;

  @ApiProperty({ example: 'validation_failed', description: 'Stable machine-readable error code.' })
  code!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'One entry per invalid field (`validation_failed`).' })
  errors?: FieldErrorDto[];
}

/** The media type of every error response (ProblemDetailsFilter). */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** One case a response can be, as the service words it; `type` and `status` are derived. */
export interface ProblemExample {
  code: string;
  title: string;
  detail?: string;
  errors?: FieldErrorDto[];
  /** Key in Swagger UI's example picker; defaults to `code`. */
  name?: string;
}

/**
 * Documents an error response as it is served: `application/problem+json` with the ProblemDto
 * schema (not Nest's default `application/json`), with one named example per case.
 */
export function ApiProblemResponse(
  status: number,
  description: string,
  examples: ProblemExample[] = [],
  headers?: HeadersObject,
): MethodDecorator & ClassDecorator {
  const named: Record<string, ExampleObject> = {};
  for (const { name, code, title, detail, errors } of examples) {
    named[name ?? code] = {
      summary: detail ?? title,
      value: { type: problemType(code), title, status, detail, code, errors },
    };
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
          ...(examples.length ? { examples: named } : {}),
        },
      },
    }),
  );
}

/** The `validation_failed` document the global ValidationPipe answers with. */
export const validationFailed = (...errors: FieldErrorDto[]): ProblemExample => ({
  code: 'validation_failed',
  title: 'Validation failed',
  detail: 'The request is not valid.',
  errors,
});

/** A body that does not parse (Fastify's JSON parser, through ProblemDetailsFilter). */
export const invalidJson: ProblemExample = {
  name: 'invalid_json',
  code: 'validation_failed',
  title: 'Validation failed',
  detail: 'The body is not valid JSON.',
};

/** 400 `validation_failed`: a body or query that the parser or the global ValidationPipe refuses. */
export const ApiValidationFailedResponse = (description: string, ...examples: ProblemExample[]) =>
  ApiProblemResponse(400, `${description} (\`validation_failed\`).`, examples);

/** 415: a body that is not application/json (the only parser installed). */
export const ApiJsonOnlyResponse = (description = 'The body is not `application/json` (`unsupported_media_type`).') =>
  ApiProblemResponse(415, description, [
    { code: 'unsupported_media_type', title: 'Unsupported media type', detail: 'Send the body as application/json.' },
  ]);

/** 429 from AuthThrottlerGuard, with the `Retry-After` it sets. */
export const ApiRateLimitedResponse = (description: string) =>
  ApiProblemResponse(
    429,
    description,
    [{ code: 'rate_limited', title: 'Too many requests', detail: 'Slow down and retry later.' }],
    { 'Retry-After': { description: 'Seconds until the window resets.', schema: { type: 'integer', example: 42 } } },
  );
