import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Patch } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Auth } from '../common/auth/auth.decorator.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import type { AuthenticatedUser } from '../common/auth/principal.js';
import { Client, type ClientContext } from '../common/client-context.decorator.js';
import { UuidParam } from '../common/uuid-param.decorator.js';
import { UserResponseDto } from '../users/dto/user-response.dto.js';
import { ChangeUserDocs, DeleteMeDocs, DeleteUserDocs, GetUserDocs, RevokeUserSessionsDocs, UserSessionsDocs } from './accounts.docs.js';
import { AccountsService } from './accounts.service.js';
import { AdminUpdateUserDto } from './dto/admin-update-user.dto.js';
import { DeleteAccountDto } from './dto/delete-account.dto.js';
import type { LogoutAllResponseDto } from './dto/logout-all.dto.js';
import type { SessionResponseDto } from './dto/session-response.dto.js';

/** Account removal by its holder, and administration of any account by an admin. */
@ApiTags('users')
@Controller({ path: 'users', version: '1' })
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Delete('me')
  @Auth()
  @HttpCode(HttpStatus.NO_CONTENT)
  @DeleteMeDocs()
  async deleteMe(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: DeleteAccountDto,
    @Client() client: ClientContext,
  ): Promise<void> {
    await this.accounts.deleteOwn(caller.id, body.currentPassword, caller.sessionId, client);
  }

  @Get(':id')
  @Auth({ roles: ['admin'] })
  @GetUserDocs()
  async get(@UuidParam() id: string): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.accounts.get(id));
  }

  @Patch(':id')
  @Auth({ roles: ['admin'] })
  @ChangeUserDocs()
  async change(
    @CurrentUser() admin: AuthenticatedUser,
    @UuidParam() id: string,
    @Body() body: AdminUpdateUserDto,
  ): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.accounts.change(id, body, admin.id));
  }

  @Delete(':id')
  @Auth({ roles: ['admin'] })
  @HttpCode(HttpStatus.NO_CONTENT)
  @DeleteUserDocs()
  async delete(@CurrentUser() admin: AuthenticatedUser, @UuidParam() id: string): Promise<void> {
    await this.accounts.deleteByAdmin(id, admin.id);
  }

  @Get(':id/sessions')
  @Auth({ roles: ['admin'] })
  @UserSessionsDocs()
  async sessions(@UuidParam() id: string): Promise<SessionResponseDto[]> {
    const sessions = await this.accounts.sessionsOf(id);
    return sessions.map((session) => ({ ...session, current: false }));
  }

  @Delete(':id/sessions')
  @Auth({ roles: ['admin'] })
  @RevokeUserSessionsDocs()
  async revokeSessions(@CurrentUser() admin: AuthenticatedUser, @UuidParam() id: string): Promise<LogoutAllResponseDto> {
    return { revoked: await this.accounts.revokeAllSessions(id, admin.id) };
  }
}
