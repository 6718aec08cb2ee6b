import { applyDecorators } from '@nestjs/common';
import {
  ApiBody,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  getSchemaPath,
} from '@nestjs/swagger';
import { REFRESH_COOKIE_SCHEME } from '../common/auth/auth.decorator.js';
import { SessionRevokedException, TokenInvalidException, TokenMissingException } from '../common/auth/token.exceptions.js';
import {
  ApiJsonOnlyResponse,
  ApiProblems,
  ApiRateLimitedResponse,
  ApiValidationFailedResponse,
  fieldErrors,
  INVALID_JSON,
} from '../common/problem.dto.js';
import { FASTIFY_PROBLEMS } from '../common/problem-details.filter.js';
import { EmailTakenException } from '../users/users.exceptions.js';
import {
  CookieNeedsJsonException,
  EmailNotVerifiedException,
  InvalidCredentialsException,
  RefreshTokenReusedException,
  RegistrationClosedException,
} from './auth.exceptions.js';
import { CREDENTIAL_WINDOWS, REFRESH_WINDOW } from './auth-throttling.js';
import { LogoutAllDto, LogoutAllResponseDto } from './dto/logout-all.dto.js';
import { RefreshTokenDto } from './dto/refresh-token.dto.js';
import { RegisterPendingResponseDto, RegisterResponseDto, TokenInfoDto, TokenResponseDto } from './dto/token-response.dto.js';

/** OpenAPI of AuthController, one composed decorator per handler; the errors come from the exceptions. */

/** What a token pair looks like (payloads shortened, still JWT-shaped); documentation only. */
const TOKENS_EXAMPLE: TokenResponseDto = {
  accessToken:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6InBMd19QejdVVkdlZ203YVgifQ.eyJzdWIiOiIwYjliOGYwZS02YTBjIn0.' +
    'Yp1jwlXm0bZ4Qv2d9kq3mH3qZ8Qp0dS3nq3Qx7TqJ0k',
  refreshToken:
    'eyJhbGciOiJIUzI1NiIsInR5cCI6InJ0K2p3dCIsImtpZCI6IkhKREtnTGJJVTVDRnFFM2sifQ.eyJzdWIiOiIwYjliOGYwZS02YTBjIn0.' +
    'k3Jd0v8m4Qy2b9ZcX1pL7wT6sN5rE0aH2gU8fV4iO3M',
  tokenType: 'Bearer',
  expiresIn: 900,
  refreshExpiresIn: 604800,
};
const USER_EXAMPLE = {
  id: '0b9b8f0e-6a0c-4f0e-9a53-2f5c3e7c1d11',
  email: 'ada@example.com',
  emailVerified: false,
  name: 'Ada Lovelace',
  roles: ['user'],
  disabled: false,
  createdAt: '2026-11-25T09:50:29.405Z',
};

const RATE_LIMITED = 'Too many attempts from this IP, or for this IP and email (`rate_limited`); see `Retry-After`.';
const REFRESH_RATE_LIMITED = 'Too many requests from this IP (`rate_limited`); see `Retry-After`.';
const REFRESH_MISSING = new TokenMissingException('refresh');
const REFRESH_INVALID = new TokenInvalidException('refresh');

/**
 * The refresh cookie's security scheme and the body of refresh and logout. The body's example is
 * an empty object: Swagger UI's "Try it out" then sends the cookie the browser holds (a token in
 * the body would win over it).
 */
const RefreshBody = () =>
  applyDecorators(
    ApiCookieAuth(REFRESH_COOKIE_SCHEME),
    ApiBody({ type: RefreshTokenDto, required: false, examples: { cookie: { summary: 'Use the refresh_token cookie', value: {} } } }),
  );

/** 400, 415 and 429 of refresh and logout. */
const RefreshRequestProblems = () =>
  applyDecorators(
    ApiValidationFailedResponse(
      'A `refreshToken` that is not a string or longer than 4096 characters, or an unknown field',
      fieldErrors({ field: 'token', message: 'token is not allowed' }),
      INVALID_JSON,
    ),
    ApiProblems(
      415,
      'The body is not `application/json`, or the refresh cookie came with a request that is not application/json ' +
        '(`unsupported_media_type`).',
      [
        ['cookie_needs_json', new CookieNeedsJsonException()],
        ['not_json', FASTIFY_PROBLEMS.FST_ERR_CTP_INVALID_MEDIA_TYPE],
      ],
    ),
    ApiRateLimitedResponse(REFRESH_RATE_LIMITED, Object.keys(REFRESH_WINDOW)),
  );

/** 403 of login and refresh while AUTH_EMAIL_VERIFICATION=required. */
const EmailNotVerified = (what: string) =>
  ApiProblems(
    403,
    `${what} for an account whose email is not verified while AUTH_EMAIL_VERIFICATION=required (\`email_not_verified\`).`,
    [EmailNotVerifiedException],
  );

export const RegisterDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Create an account and sign in',
      description:
        'Opens a session for this device and mails a verification link (unless AUTH_EMAIL_VERIFICATION=off). With ' +
        'AUTH_EMAIL_VERIFICATION=required the answer is `{ user }` only: no tokens and no session until the email is verified.',
    }),
    ApiExtraModels(RegisterResponseDto, RegisterPendingResponseDto),
    // anyOf, not oneOf: a signed-in answer also carries everything the pending one does.
    ApiCreatedResponse({
      schema: { anyOf: [{ $ref: getSchemaPath(RegisterResponseDto) }, { $ref: getSchemaPath(RegisterPendingResponseDto) }] },
      examples: {
        signedIn: { summary: 'Signed in', value: { user: USER_EXAMPLE, ...TOKENS_EXAMPLE } },
        verificationRequired: { summary: 'AUTH_EMAIL_VERIFICATION=required: no tokens yet', value: { user: USER_EXAMPLE } },
      },
    }),
    ApiValidationFailedResponse(
      'Invalid email or password, or an unknown field',
      fieldErrors(
        { field: 'email', message: 'email must be an email' },
        { field: 'password', message: 'password is too common; choose a less guessable password' },
      ),
      INVALID_JSON,
    ),
    ApiProblems(403, 'AUTH_REGISTRATION=closed (`forbidden`).', [RegistrationClosedException]),
    ApiProblems(409, 'The email is already registered (`email_taken`).', [EmailTakenException]),
    ApiJsonOnlyResponse(),
    ApiRateLimitedResponse(RATE_LIMITED, Object.keys(CREDENTIAL_WINDOWS)),
  );

export const LoginDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'Sign in with email and password', description: 'Opens a session for this device.' }),
    ApiOkResponse({ type: TokenResponseDto, example: TOKENS_EXAMPLE }),
    ApiValidationFailedResponse('Malformed body', fieldErrors({ field: 'email', message: 'email must be an email' }), INVALID_JSON),
    ApiProblems(401, 'Unknown email or wrong password (`invalid_credentials`).', [InvalidCredentialsException]),
    EmailNotVerified('Correct credentials'),
    ApiJsonOnlyResponse(),
    ApiRateLimitedResponse(RATE_LIMITED, Object.keys(CREDENTIAL_WINDOWS)),
  );

export const RefreshDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Rotate the refresh token',
      description:
        'Send the refresh token in the body or the `refresh_token` cookie (cookie requests must be application/json). ' +
        'Returns a new pair; the presented refresh token stops being current. Presenting the previous token again ' +
        'within REFRESH_REUSE_GRACE returns the same current refresh token (concurrent tabs).',
    }),
    RefreshBody(),
    ApiOkResponse({ type: TokenResponseDto, example: TOKENS_EXAMPLE }),
    ApiProblems(
      401,
      'No refresh token (`token_missing`), a bad one (`token_invalid`), an ended session (`session_revoked`), ' +
        'or an already-rotated token outside the grace window: the session is now revoked (`refresh_token_reused`).',
      [REFRESH_MISSING, REFRESH_INVALID, new SessionRevokedException('refresh'), RefreshTokenReusedException],
    ),
    EmailNotVerified('A valid refresh token'),
    RefreshRequestProblems(),
  );

export const LogoutDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'End this session', description: 'Revokes the session of the refresh token and clears the cookie. Idempotent.' }),
    RefreshBody(),
    ApiNoContentResponse({ description: 'Session ended.' }),
    ApiProblems(401, 'No refresh token (`token_missing`) or a bad one (`token_invalid`).', [REFRESH_MISSING, REFRESH_INVALID]),
    RefreshRequestProblems(),
  );

export const LogoutAllDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'End every session of the caller', description: '`keepCurrent: true` keeps the calling session.' }),
    ApiBody({
      type: LogoutAllDto,
      required: false,
      examples: {
        all: { summary: 'Every session, this one included', value: { keepCurrent: false } },
        others: { summary: 'Every other session', value: { keepCurrent: true } },
      },
    }),
    ApiOkResponse({ type: LogoutAllResponseDto, example: { revoked: 3 } }),
    ApiValidationFailedResponse(
      '`keepCurrent` is not a boolean, or an unknown field',
      fieldErrors({ field: 'keepCurrent', message: 'keepCurrent must be a boolean value' }),
      INVALID_JSON,
    ),
    ApiJsonOnlyResponse(),
  );

export const TokenInfoDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'Claims of the caller’s access token', description: 'Verified claims; no database read.' }),
    ApiOkResponse({
      type: TokenInfoDto,
      example: {
        sub: '0b9b8f0e-6a0c-4f0e-9a53-2f5c3e7c1d11',
        sid: '6adbfc9c-6f68-43a6-a2f0-0d49d5cdcea5',
        roles: ['user'],
        iat: 1764060000,
        exp: 1764060900,
      },
    }),
  );
