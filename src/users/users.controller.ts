import { Body, Controller, Get, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../common/auth/auth.decorator.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import type { AuthenticatedUser } from '../common/auth/principal.js';
import { Client, type ClientContext } from '../common/client-context.decorator.js';
import { PaginationQueryDto } from '../common/pagination.dto.js';
import { ProblemDto } from '../common/problem.dto.js';
import { ChangePasswordDto } from './dto/change-password.dto.js';
import { UpdateProfileDto } from './dto/update-profile.dto.js';
import { UserPageDto, UserResponseDto } from './dto/user-response.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@Controller({ path: 'users', version: '1' })
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @Auth()
  @ApiOperation({ summary: 'The caller’s profile' })
  @ApiOkResponse({ type: UserResponseDto })
  async me(@CurrentUser() caller: AuthenticatedUser): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.getById(caller.id));
  }

  @Patch('me')
  @Auth()
  @ApiOperation({ summary: 'Change the caller’s display name' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'Invalid body or a field that cannot be set (`validation_failed`).' })
  async updateMe(@CurrentUser() caller: AuthenticatedUser, @Body() body: UpdateProfileDto): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.updateName(caller.id, body.name));
  }

  @Post('me/password')
  @Auth()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Change the caller’s password',
    description: 'Checks the current password, stores the new one and revokes every other session of the user.',
  })
  @ApiNoContentResponse({ description: 'Changed; other sessions are revoked.' })
  @ApiBadRequestResponse({ type: ProblemDto, description: 'Wrong current password or unacceptable new one (`validation_failed`).' })
  async changePassword(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() body: ChangePasswordDto,
    @Client() client: ClientContext,
  ): Promise<void> {
    await this.users.changePassword(caller.id, caller.sessionId, body.currentPassword, body.newPassword, client);
  }

  @Get()
  @Auth({ roles: ['admin'] })
  @ApiOperation({ summary: 'List users (admin)', description: 'Oldest first; `pageSize` at most 100.' })
  @ApiOkResponse({ type: UserPageDto })
  async list(@Query() query: PaginationQueryDto): Promise<UserPageDto> {
    const page = await this.users.findPage(query.page, query.pageSize);
    return { ...page, items: page.items.map((user) => UserResponseDto.from(user)) };
  }
}
