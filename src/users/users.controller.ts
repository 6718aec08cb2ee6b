import { Body, Controller, Get, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Auth } from '../common/auth/auth.decorator.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import type { AuthenticatedUser } from '../common/auth/principal.js';
import { Client, type ClientContext } from '../common/client-context.decorator.js';
import { ChangePasswordDto } from './dto/change-password.dto.js';
import { UpdateProfileDto } from './dto/update-profile.dto.js';
import { UserListQueryDto } from './dto/user-list-query.dto.js';
import { UserPageDto, UserResponseDto } from './dto/user-response.dto.js';
import { ChangePasswordDocs, ListUsersDocs, MeDocs, UpdateMeDocs } from './users.docs.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller({ path: 'users', version: '1' })
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @Auth()
  @MeDocs()
  async me(@CurrentUser() caller: AuthenticatedUser): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.getById(caller.id));
  }

  @Patch('me')
  @Auth()
  @UpdateMeDocs()
  async updateMe(@CurrentUser() caller: AuthenticatedUser, @Body() body: UpdateProfileDto): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.updateName(caller.id, body.name));
  }

  @Post('me/password')
  @Auth()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ChangePasswordDocs()
  async changePassword(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: ChangePasswordDto,
    @Client() client: ClientContext,
  ): Promise<void> {
    await this.users.changePassword(caller.id, caller.sessionId, body.currentPassword, body.newPassword, client);
  }

  @Get()
  @Auth({ roles: ['admin'] })
  @ListUsersDocs()
  async list(@Query() query: UserListQueryDto): Promise<UserPageDto> {
    const page = await this.users.findPage(query.page, query.pageSize, query.email);
    return { ...page, items: page.items.map((user) => UserResponseDto.from(user)) };
  }
}
