import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccountModule } from '../account/account.module.js';
import type { AllConfig } from '../config/config.types.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountsController } from './accounts.controller.js';
import { AccountsRepository } from './accounts.repository.js';
import { AccountsService } from './accounts.service.js';
import { AuthSessionsController } from './auth-sessions.controller.js';
import { authThrottling, RATE_LIMIT_STORAGE, RateLimitStorageModule } from './auth-throttling.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { JwtAuthGuard } from './guards/jwt-auth.guard.js';
import { RolesGuard } from './guards/roles.guard.js';
import { JwksController } from './jwks.controller.js';
import { JwtKeys } from './jwt-keys.js';
import type { RedisThrottlerStorage } from './redis-throttler.storage.js';
import { RefreshTokenTransport } from './refresh-token.transport.js';
import { JwtRefreshStrategy } from './strategies/jwt-refresh.strategy.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { AccessTokenVerifier, RefreshTokenVerifier } from './token-verifier.js';
import { TokensService } from './tokens.service.js';

@Module({
  imports: [
    UsersModule,
    SessionsModule,
    AccountModule,
    PassportModule,
    // Keys are passed per call by TokensService (access and refresh differ), from JwtKeys.
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [ConfigService, RATE_LIMIT_STORAGE],
      useFactory: (config: ConfigService<AllConfig, true>, storage: RedisThrottlerStorage | null) => ({
        ...authThrottling(config.get('auth', { infer: true })),
        ...(storage ? { storage } : {}),
      }),
    }),
  ],
  controllers: [AuthController, AuthSessionsController, AccountsController, JwksController],
  providers: [
    AuthService,
    AccountsService,
    AccountsRepository,
    JwtKeys,
    TokensService,
    AccessTokenVerifier,
    RefreshTokenVerifier,
    RefreshTokenTransport,
    JwtStrategy,
    JwtRefreshStrategy,
    // Protected by default: access token first, then roles.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
})
export class AuthModule {}
