import { Body, Controller, Header, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Auth } from '../common/auth/auth.decorator.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import type { AuthenticatedUser } from '../common/auth/principal.js';
import { Public } from '../common/auth/public.decorator.js';
import { Client, type ClientContext } from '../common/client-context.decorator.js';
import { UserResponseDto } from '../users/dto/user-response.dto.js';
import { ForgotPasswordDocs, ResendVerificationDocs, ResetPasswordDocs, VerifyEmailDocs } from './account.docs.js';
import { VerifyEmailDto } from './dto/link-token.dto.js';
import { ForgotPasswordDto, ResetPasswordDto } from './dto/password-reset.dto.js';
import { EmailVerificationService } from './email-verification.service.js';
import { LinkRateLimit } from './link-rate-limit.guard.js';
import { PasswordResetService } from './password-reset.service.js';

/** The mailed links: password reset and email verification. */
@ApiTags('auth')
@Controller({ path: 'auth', version: '1' })
export class AccountController {
  constructor(
    private readonly passwordReset: PasswordResetService,
    private readonly verification: EmailVerificationService,
  ) {}

  @Post('password/forgot')
  @Public()
  @LinkRateLimit('forgot')
  @HttpCode(HttpStatus.ACCEPTED)
  @ForgotPasswordDocs()
  forgot(@Body() body: ForgotPasswordDto, @Client() client: ClientContext): void {
    this.passwordReset.requestReset(body.email, client);
  }

  @Post('password/reset')
  @Public()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ResetPasswordDocs()
  async reset(@Body() body: ResetPasswordDto, @Client() client: ClientContext): Promise<void> {
    await this.passwordReset.reset(body.token, body.newPassword, client);
  }

  @Post('email/verification')
  @Auth()
  @LinkRateLimit('resend')
  @HttpCode(HttpStatus.ACCEPTED)
  @ResendVerificationDocs()
  async resendVerification(@CurrentUser() caller: AuthenticatedUser): Promise<void> {
    await this.verification.resend(caller.id);
  }

  @Post('email/verify')
  @Public()
  @HttpCode(HttpStatus.OK)
  @Header('Cache-Control', 'no-store')
  @VerifyEmailDocs()
  async verify(@Body() body: VerifyEmailDto, @Client() client: ClientContext): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.verification.verify(body.token, client));
  }
}
