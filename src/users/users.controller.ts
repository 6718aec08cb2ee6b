import { Body, Controller, Get, HttpCode, HttpStatus, Patch, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth } from '../common/auth/auth.decorator.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import type { AuthenticatedUser } from '../common/auth/principal.js';
import { Client, type ClientContext } from '../common/client-context.decorator.js';
import { PaginationQueryDto } from '../common/pagination.dto.js';
import { ApiJsonOnlyResponse, ApiValidationFailedResponse, invalidJson, validationFailed } from '../common/problem.dto.js';
import { ChangePasswordDto } from './dto/change-password.dto.js';
import { UpdateProfileDto } from './dto/update-profile.dto.js';
import { UserPageDto, UserResponseDto } from './dto/user-response.dto.js';
import { UsersService } from './users.service.js';

const USER_EXAMPLE = {
  id: '0b9b8f0e-6a0c-4f0e-9a53-2f5c3e7c1d11',
  email: 'ada@example.com',
  emailVerified: true,
  name: 'Ada Lovelace',
  roles: ['user'],
  disabled: false,
  createdAt: '2026-11-25T09:50:29.405Z',
};

@ApiTags('users')
@Controller({ path: 'users', version: '1' })
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @Auth()
  @ApiOperation({ summary: 'The caller’s profile' })
  @ApiOkResponse({ type: UserResponseDto, example: USER_EXAMPLE })
  async me(@CurrentUser() caller: AuthenticatedUser): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.users.getById(caller.id));
  }

  @Patch('me')
  @Auth()
  @ApiOperation({ summary: 'Change the caller’s display name' })
  @ApiOkResponse({ type: UserResponseDto, example: USER_EXAMPLE })
  @ApiValidationFailedResponse(
    'Invalid body or a field that cannot be set',
    validationFailed({ field: 'name', message: 'name must be longer than or equal to 1 characters' }),
    { name: 'field_not_allowed', ...validationFailed({ field: 'email', message: 'email is not allowed' }) },
    invalidJson,
  )
  @ApiJsonOnlyResponse()
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
  @ApiValidationFailedResponse(
    'Wrong current password or unacceptable new one',
    {
      name: 'wrong_current_password',
      ...validationFailed({ field: 'currentPassword', message: 'currentPassword is incorrect' }),
      detail: 'The current password is incorrect.',
    },
    {
      name: 'weak_new_password',
      ...validationFailed({ field: 'newPassword', message: 'newPassword must be at least 8 characters' }),
    },
    invalidJson,
  )
  @ApiJsonOnlyResponse()
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
  @ApiOkResponse({
    type: UserPageDto,
    example: {
      items: [{ ...USER_EXAMPLE, roles: ['user', 'admin'] }],
      total: 1,
      page: 1,
      pageSize: 20,
    },
  })
  @ApiValidationFailedResponse(
    '`page` or `pageSize` out of range or not an integer, or an unknown query parameter',
    validationFailed({ field: 'page', message: 'page must not be less than 1' }),
  )
  async list(@Query() query: PaginationQueryDto): Promise<UserPageDto> {
    const page = await this.users.findPage(query.page, query.pageSize);
    return { ...page, items: page.items.map((user) => UserResponseDto.from(user)) };
  }
}
