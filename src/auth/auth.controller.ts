import { Body, Controller, Get, Header, HttpCode, HttpStatus, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { Auth } from '../common/auth/auth.decorator.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import type { AuthenticatedUser } from '../common/auth/principal.js';
import { Public } from '../common/auth/public.decorator.js';
import { Client, type ClientContext } from '../common/client-context.decorator.js';
import {
  ApiJsonOnlyResponse,
  ApiProblemResponse,
  ApiRateLimitedResponse,
  ApiValidationFailedResponse,
  invalidJson,
  type ProblemExample,
  validationFailed,
} from '../common/problem.dto.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { UserResponseDto } from '../users/dto/user-response.dto.js';
import { CREDENTIAL_WINDOWS, REFRESH_WINDOW } from './auth-throttling.js';
import { EmailNotVerifiedException } from './auth.exceptions.js';
import { AuthService } from './auth.service.js';
import { LoginDto } from './dto/login.dto.js';
import { LogoutAllDto, LogoutAllResponseDto } from './dto/logout-all.dto.js';
import { RefreshTokenDto } from './dto/refresh-token.dto.js';
import { RegisterDto } from './dto/register.dto.js';
import { RegisterResponseDto, TokenInfoDto, TokenResponseDto } from './dto/token-response.dto.js';
import { RefreshPrincipal as RefreshHolder } from './decorators/refresh-principal.decorator.js';
import { AuthThrottlerGuard } from './guards/auth-throttler.guard.js';
import { JwtRefreshGuard } from './guards/jwt-refresh.guard.js';
import { RefreshTokenTransport } from './refresh-token.transport.js';
import type { RefreshPrincipal } from './types/token-claims.js';

/** What a token pair looks like (shortened); documentation only. */
const TOKENS_EXAMPLE: TokenResponseDto = {
  accessToken: 'eyJhbGciOiJIUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6InBMd19QejdVVkdlZ203YVgifQ.eyJzdWIiOiIwYjliOGYwZS02YTBj…',
  refreshToken: 'eyJhbGciOiJIUzI1NiIsInR5cCI6InJ0K2p3dCIsImtpZCI6IkhKREtnTGJJVTVDRnFFM2sifQ.eyJzdWIiOiIwYjliOGYwZS02YTBj…',
  tokenType: 'Bearer',
  expiresIn: 900,
  refreshExpiresIn: 604800,
};
const USER_EXAMPLE = {
  id: '0b9b8f0e-6a0c-4f0e-9a53-2f5c3e7c1d11',
  email: 'ada@example.com',
  emailVerified: true,
  name: 'Ada Lovelace',
  roles: ['user'],
  disabled: false,
  createdAt: '2026-11-25T09:50:29.405Z',
};

const RATE_LIMITED = 'Too many attempts from this IP, or for this IP and email (`rate_limited`); see `Retry-After`.';
const REFRESH_RATE_LIMITED = 'Too many requests from this IP (`rate_limited`); see `Retry-After`.';
const REFRESH_MISSING: ProblemExample = { code: 'token_missing', title: 'Token missing', detail: 'Send the refresh token.' };
const REFRESH_INVALID: ProblemExample = {
  code: 'token_invalid',
  title: 'Token invalid',
  detail: 'The refresh token is malformed, expired or not signed by this service.',
};
/** 415 of refresh and logout: a non-JSON body, or the cookie on a request that is not application/json (CSRF). */
const RefreshJsonOnly = () =>
  ApiProblemResponse(
    415,
    'The body is not `application/json`, or the refresh cookie came with a request that is not application/json ' +
      '(`unsupported_media_type`).',
    [
      {
        name: 'cookie_needs_json',
        code: 'unsupported_media_type',
        title: 'Unsupported media type',
        detail: 'Requests authenticated by the refresh cookie must be sent as application/json.',
      },
      { name: 'not_json', code: 'unsupported_media_type', title: 'Unsupported media type', detail: 'Send the body as application/json.' },
    ],
  );
const EmailNotVerifiedResponse = (what: string) => {
  const { code, title, detail } = new EmailNotVerifiedException();
  return ApiProblemResponse(
    403,
    `${what} for an account whose email is not verified while AUTH_EMAIL_VERIFICATION=required (\`email_not_verified\`).`,
    [{ code, title, detail }],
  );
};
const RefreshBodyInvalid = () =>
  ApiValidationFailedResponse(
    'A `refreshToken` that is not a string or longer than 4096 characters, or an unknown field',
    validationFailed({ field: 'token', message: 'token is not allowed' }),
    invalidJson,
  );

@ApiTags('auth')
@Controller({ path: 'auth', version: '1' })
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    private readonly transport: RefreshTokenTransport,
  ) {}

  @Post('register')
  @Public()
  @SkipThrottle(REFRESH_WINDOW)
  @UseGuards(AuthThrottlerGuard)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Create an account and sign in',
    description:
      'Opens a session for this device and mails a verification link (unless AUTH_EMAIL_VERIFICATION=off). With ' +
      'AUTH_EMAIL_VERIFICATION=required the answer is `{ user }` only: no tokens and no session until the email is verified.',
  })
  @ApiCreatedResponse({
    type: RegisterResponseDto,
    examples: {
      signedIn: { summary: 'Signed in', value: { user: { ...USER_EXAMPLE, emailVerified: false }, ...TOKENS_EXAMPLE } },
      verificationRequired: {
        summary: 'AUTH_EMAIL_VERIFICATION=required: no tokens yet',
        value: { user: { ...USER_EXAMPLE, emailVerified: false } },
      },
    },
  })
  @ApiValidationFailedResponse(
    'Invalid email or password, or an unknown field',
    validationFailed(
      { field: 'email', message: 'email must be an email' },
      { field: 'password', message: 'password is too common; choose a less guessable password' },
    ),
    invalidJson,
  )
  @ApiProblemResponse(403, 'AUTH_REGISTRATION=closed (`forbidden`).', [
    { code: 'forbidden', title: 'Registration closed', detail: 'Self-service registration is disabled.' },
  ])
  @ApiProblemResponse(409, 'The email is already registered (`email_taken`).', [
    { code: 'email_taken', title: 'Email already registered', detail: 'An account with this email already exists.' },
  ])
  @ApiJsonOnlyResponse()
  @ApiRateLimitedResponse(RATE_LIMITED)
  async register(
    @Body() body: RegisterDto,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RegisterResponseDto | Pick<RegisterResponseDto, 'user'>> {
    const { user, tokens } = await this.auth.register(body, client);
    // AUTH_EMAIL_VERIFICATION=required: no session until the email is verified.
    if (!tokens) return { user: UserResponseDto.from(user) };
    return { user: UserResponseDto.from(user), ...this.transport.respond(reply, tokens) };
  }

  @Post('login')
  @Public()
  @SkipThrottle(REFRESH_WINDOW)
  @UseGuards(AuthThrottlerGuard)
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Sign in with email and password', description: 'Opens a session for this device.' })
  @ApiOkResponse({ type: TokenResponseDto, example: TOKENS_EXAMPLE })
  @ApiValidationFailedResponse(
    'Malformed body',
    validationFailed({ field: 'email', message: 'email must be an email' }),
    invalidJson,
  )
  @ApiProblemResponse(401, 'Unknown email or wrong password (`invalid_credentials`).', [
    { code: 'invalid_credentials', title: 'Invalid credentials', detail: 'The email or password is incorrect.' },
  ])
  @EmailNotVerifiedResponse('Correct credentials')
  @ApiJsonOnlyResponse()
  @ApiRateLimitedResponse(RATE_LIMITED)
  async login(
    @Body() body: LoginDto,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponseDto> {
    return this.transport.respond(reply, await this.auth.login(body, client));
  }

  @Post('refresh')
  @Public()
  @SkipThrottle(CREDENTIAL_WINDOWS)
  @UseGuards(AuthThrottlerGuard, JwtRefreshGuard)
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Rotate the refresh token',
    description:
      'Send the refresh token in the body or the `refresh_token` cookie (cookie requests must be application/json). ' +
      'Returns a new pair; the presented refresh token stops being current. Presenting the previous token again ' +
      'within REFRESH_REUSE_GRACE returns the same current refresh token (concurrent tabs).',
  })
  @ApiBody({ type: RefreshTokenDto, required: false })
  @ApiOkResponse({ type: TokenResponseDto, example: TOKENS_EXAMPLE })
  @RefreshBodyInvalid()
  @ApiProblemResponse(
    401,
    'No refresh token (`token_missing`), a bad one (`token_invalid`), an ended session (`session_revoked`), ' +
      'or an already-rotated token outside the grace window: the session is now revoked (`refresh_token_reused`).',
    [
      REFRESH_MISSING,
      REFRESH_INVALID,
      {
        code: 'session_revoked',
        title: 'Session revoked',
        detail: 'The session has ended (logged out, revoked or expired); sign in again.',
      },
      {
        code: 'refresh_token_reused',
        title: 'Refresh token reused',
        detail: 'An already-used refresh token was presented; the session has been revoked. Sign in again.',
      },
    ],
  )
  @EmailNotVerifiedResponse('A valid refresh token')
  @RefreshJsonOnly()
  @ApiRateLimitedResponse(REFRESH_RATE_LIMITED)
  async refresh(
    @Body() _body: RefreshTokenDto,
    @RefreshHolder() holder: RefreshPrincipal,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponseDto> {
    return this.transport.respond(reply, await this.auth.refresh(holder, client));
  }

  @Post('logout')
  @Public()
  @SkipThrottle(CREDENTIAL_WINDOWS)
  @UseGuards(AuthThrottlerGuard, JwtRefreshGuard)
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'End this session', description: 'Revokes the session of the refresh token and clears the cookie. Idempotent.' })
  @ApiBody({ type: RefreshTokenDto, required: false })
  @ApiNoContentResponse({ description: 'Session ended.' })
  @RefreshBodyInvalid()
  @ApiProblemResponse(401, 'No refresh token (`token_missing`) or a bad one (`token_invalid`).', [REFRESH_MISSING, REFRESH_INVALID])
  @RefreshJsonOnly()
  @ApiRateLimitedResponse(REFRESH_RATE_LIMITED)
  async logout(
    @Body() _body: RefreshTokenDto,
    @RefreshHolder() holder: RefreshPrincipal,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.auth.logout(holder, client);
    this.transport.clear(reply);
  }

  @Post('logout-all')
  @Auth()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'End every session of the caller', description: '`keepCurrent: true` keeps the calling session.' })
  @ApiBody({
    type: LogoutAllDto,
    required: false,
    examples: {
      all: { summary: 'Every session, this one included', value: { keepCurrent: false } },
      others: { summary: 'Every other session', value: { keepCurrent: true } },
    },
  })
  @ApiOkResponse({ type: LogoutAllResponseDto, example: { revoked: 3 } })
  @ApiValidationFailedResponse(
    '`keepCurrent` is not a boolean, or an unknown field',
    validationFailed({ field: 'keepCurrent', message: 'keepCurrent must be a boolean value' }),
    invalidJson,
  )
  @ApiJsonOnlyResponse()
  async logoutAll(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: LogoutAllDto,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LogoutAllResponseDto> {
    const keepCurrent = body.keepCurrent ?? false;
    const revoked = await this.sessions.closeAll(caller.id, caller.sessionId, keepCurrent, client);
    if (!keepCurrent) this.transport.clear(reply);
    return { revoked };
  }

  @Get('token-info')
  @Auth()
  @ApiOperation({ summary: 'Claims of the caller’s access token', description: 'Verified claims; no database read.' })
  @ApiOkResponse({
    type: TokenInfoDto,
    example: {
      sub: '0b9b8f0e-6a0c-4f0e-9a53-2f5c3e7c1d11',
      sid: '6adbfc9c-6f68-43a6-a2f0-0d49d5cdcea5',
      roles: ['user'],
      iat: 1764060000,
      exp: 1764060900,
    },
  })
  tokenInfo(@CurrentUser() caller: AuthenticatedUser): TokenInfoDto {
    return { sub: caller.id, sid: caller.sessionId, roles: caller.roles, iat: caller.issuedAt, exp: caller.expiresAt };
  }
}
