import { Body, Controller, Get, Header, HttpCode, HttpStatus, Post, Res, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { Auth } from '../common/auth/auth.decorator.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import type { AuthenticatedUser } from '../common/auth/principal.js';
import { Public } from '../common/auth/public.decorator.js';
import { Client, type ClientContext } from '../common/client-context.decorator.js';
import { ProblemDto } from '../common/problem.dto.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { UserResponseDto } from '../users/dto/user-response.dto.js';
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

const RATE_LIMITED = { type: ProblemDto, description: 'Too many attempts (`rate_limited`); see `Retry-After`.' };
const REFRESH_FAILURES = {
  type: ProblemDto,
  description:
    'No refresh token (`token_missing`), a bad one (`token_invalid`), an ended session (`session_revoked`), ' +
    'or an already-rotated token outside the grace window: the session is now revoked (`refresh_token_reused`).',
};

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
  @UseGuards(AuthThrottlerGuard)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Create an account and sign in', description: 'Opens a session for this device.' })
  @ApiCreatedResponse({ type: RegisterResponseDto })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'Invalid email or password, or an unknown field (`validation_failed`).' })
  @ApiConflictResponse({ type: ProblemDto, description: 'The email is already registered (`email_taken`).' })
  @ApiForbiddenResponse({ type: ProblemDto, description: 'AUTH_REGISTRATION=closed (`forbidden`).' })
  @ApiTooManyRequestsResponse(RATE_LIMITED)
  async register(
    @Body() body: RegisterDto,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RegisterResponseDto> {
    const { user, tokens } = await this.auth.register(body, client);
    return { user: UserResponseDto.from(user), ...this.transport.respond(reply, tokens) };
  }

  @Post('login')
  @Public()
  @UseGuards(AuthThrottlerGuard)
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Sign in with email and password', description: 'Opens a session for this device.' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'Malformed body (`validation_failed`).' })
  @ApiUnauthorizedResponse({ type: ProblemDto, description: 'Unknown email or wrong password (`invalid_credentials`).' })
  @ApiTooManyRequestsResponse(RATE_LIMITED)
  async login(
    @Body() body: LoginDto,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TokenResponseDto> {
    return this.transport.respond(reply, await this.auth.login(body, client));
  }

  @Post('refresh')
  @Public()
  @SkipThrottle({ account: true })
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
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse(REFRESH_FAILURES)
  @ApiUnsupportedMediaTypeResponse({ type: ProblemDto, description: 'Cookie-authenticated request that is not application/json.' })
  @ApiTooManyRequestsResponse(RATE_LIMITED)
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
  @SkipThrottle({ account: true })
  @UseGuards(AuthThrottlerGuard, JwtRefreshGuard)
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'End this session', description: 'Revokes the session of the refresh token and clears the cookie. Idempotent.' })
  @ApiBody({ type: RefreshTokenDto, required: false })
  @ApiNoContentResponse({ description: 'Session ended.' })
  @ApiUnauthorizedResponse({ type: ProblemDto, description: 'No refresh token (`token_missing`) or a bad one (`token_invalid`).' })
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
  @ApiBody({ type: LogoutAllDto, required: false })
  @ApiOkResponse({ type: LogoutAllResponseDto })
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
  @ApiOkResponse({ type: TokenInfoDto })
  tokenInfo(@CurrentUser() caller: AuthenticatedUser): TokenInfoDto {
    return { sub: caller.id, sid: caller.sessionId, roles: caller.roles, iat: caller.issuedAt, exp: caller.expiresAt };
  }
}
