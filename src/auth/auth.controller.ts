import { Body, Controller, Get, Header, HttpCode, HttpStatus, Post, Res, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { Auth } from '../common/auth/auth.decorator.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import type { AuthenticatedUser } from '../common/auth/principal.js';
import { Public } from '../common/auth/public.decorator.js';
import { Client, type ClientContext } from '../common/client-context.decorator.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { UserResponseDto } from '../users/dto/user-response.dto.js';
import { CREDENTIAL_WINDOWS, REFRESH_WINDOW } from './auth-throttling.js';
import { LoginDocs, LogoutAllDocs, LogoutDocs, RefreshDocs, RegisterDocs, TokenInfoDocs } from './auth.docs.js';
import { AuthService } from './auth.service.js';
import { RefreshPrincipal as RefreshHolder } from './decorators/refresh-principal.decorator.js';
import { LoginDto } from './dto/login.dto.js';
import { LogoutAllDto, LogoutAllResponseDto } from './dto/logout-all.dto.js';
import { RefreshTokenDto } from './dto/refresh-token.dto.js';
import { RegisterDto } from './dto/register.dto.js';
import { RegisterResponseDto, TokenInfoDto, TokenResponseDto } from './dto/token-response.dto.js';
import { AuthThrottlerGuard } from './guards/auth-throttler.guard.js';
import { JwtRefreshGuard } from './guards/jwt-refresh.guard.js';
import { RefreshTokenTransport } from './refresh-token.transport.js';
import type { RefreshPrincipal } from './types/token-claims.js';

/**
 * Sign-up, sign-in, refresh and sign-out. JwtRefreshGuard has verified the refresh token (where
 * RefreshTokenTransport found it) before refresh and logout run; the transport then shapes the
 * answer (cookie and/or body).
 */
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
  @RegisterDocs()
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
  @LoginDocs()
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
  @RefreshDocs()
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
  @LogoutDocs()
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
  @LogoutAllDocs()
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
  @TokenInfoDocs()
  tokenInfo(@CurrentUser() caller: AuthenticatedUser): TokenInfoDto {
    return { sub: caller.id, sid: caller.sessionId, roles: caller.roles, iat: caller.issuedAt, exp: caller.expiresAt };
  }
}
