import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountLinksService } from './account-links.service.js';
import { AccountController } from './account.controller.js';
import { BackgroundTasks } from './background-tasks.js';
import { EmailChangeController } from './email-change.controller.js';
import { EmailChangeService } from './email-change.service.js';
import { EmailVerificationService } from './email-verification.service.js';
import { LinkToken } from './entities/link-token.entity.js';
import { LinkRateLimitGuard } from './link-rate-limit.guard.js';
import { LinkTokensCleanupService } from './link-tokens-cleanup.service.js';
import { LinkTokensRepository } from './link-tokens.repository.js';
import { PasswordResetService } from './password-reset.service.js';

/**
 * The account lifecycle that runs through mailed links: password reset, email verification,
 * email change. Sits between auth and sessions (auth → account → sessions → users): it revokes
 * sessions and records events through SessionsService, and MailService (global) sends the links.
 */
@Module({
  imports: [DatabaseModule.forFeature([LinkToken]), UsersModule, SessionsModule],
  controllers: [AccountController, EmailChangeController],
  providers: [
    LinkTokensRepository,
    LinkTokensCleanupService,
    AccountLinksService,
    BackgroundTasks,
    PasswordResetService,
    EmailVerificationService,
    EmailChangeService,
    LinkRateLimitGuard,
  ],
  exports: [EmailVerificationService],
})
export class AccountModule {}
