import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Auth } from '../common/auth/auth.decorator.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import type { AuthenticatedUser } from '../common/auth/principal.js';
import { Client, type ClientContext } from '../common/client-context.decorator.js';
import { ChangeEmailDocs } from './account.docs.js';
import { ChangeEmailDto } from './dto/change-email.dto.js';
import { EmailChangeService } from './email-change.service.js';

@ApiTags('users')
@Controller({ path: 'users', version: '1' })
export class EmailChangeController {
  constructor(private readonly emailChange: EmailChangeService) {}

  @Post('me/email')
  @Auth()
  @HttpCode(HttpStatus.ACCEPTED)
  @ChangeEmailDocs()
  async changeEmail(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: ChangeEmailDto,
    @Client() client: ClientContext,
  ): Promise<void> {
    await this.emailChange.request(caller.id, body.newEmail, body.currentPassword, caller.sessionId, client);
  }
}
