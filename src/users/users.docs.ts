import { applyDecorators } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiJsonOnlyResponse, ApiRateLimitedResponse, ApiValidationFailedResponse, fieldErrors, INVALID_JSON } from '../common/problem.dto.js';
import { UserPageDto, UserResponseDto } from './dto/user-response.dto.js';
import { WrongCurrentPasswordException } from './users.exceptions.js';

/** OpenAPI of UsersController, one composed decorator per handler; the errors come from the exceptions. */

const USER_EXAMPLE = {
  id: '0b9b8f0e-6a0c-4f0e-9a53-2f5c3e7c1d11',
  email: 'ada@example.com',
  emailVerified: true,
  name: 'Ada Lovelace',
  roles: ['user'],
  disabled: false,
  createdAt: '2026-11-25T09:50:29.405Z',
};

export const MeDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'The caller’s profile', description: 'The account of the access token’s subject.' }),
    ApiOkResponse({ type: UserResponseDto, example: USER_EXAMPLE }),
  );

export const UpdateMeDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'Change the caller’s display name', description: 'Only `name` can be set here; it is trimmed.' }),
    ApiOkResponse({ type: UserResponseDto, example: USER_EXAMPLE }),
    ApiValidationFailedResponse(
      'Invalid body or a field that cannot be set',
      fieldErrors({ field: 'name', message: 'name must be longer than or equal to 1 characters' }),
      ['field_not_allowed', fieldErrors({ field: 'email', message: 'email is not allowed' })],
      INVALID_JSON,
    ),
    ApiJsonOnlyResponse(),
  );

/** The 429 of CurrentPasswordCheck: one per-user count for every route that asks for the current password. */
export const ApiCurrentPasswordLimitedResponse = () =>
  ApiRateLimitedResponse(
    'Too many wrong current passwords for this user (5 in 15 minutes, on any route that asks for it), whatever this one is (`rate_limited`).',
    [],
  );

export const ChangePasswordDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Change the caller’s password',
      description:
        'Checks the current password, stores the new one and revokes every other session of the user. ' +
        'A wrong current password is recorded (`password_change_failed`); after 5 in 15 minutes (counted with the ' +
        'email change and account deletion) the user is limited.',
    }),
    ApiNoContentResponse({ description: 'Changed; other sessions are revoked.' }),
    ApiCurrentPasswordLimitedResponse(),
    ApiValidationFailedResponse(
      'Wrong current password or unacceptable new one',
      ['wrong_current_password', new WrongCurrentPasswordException()],
      ['weak_new_password', fieldErrors({ field: 'newPassword', message: 'newPassword must be at least 8 characters' })],
      INVALID_JSON,
    ),
    ApiJsonOnlyResponse(),
  );

export const ListUsersDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: 'List users (admin)',
      description: 'Oldest first; `pageSize` at most 100; `email` keeps the accounts whose email starts with it (case-insensitive).',
    }),
    ApiOkResponse({
      type: UserPageDto,
      example: { items: [{ ...USER_EXAMPLE, roles: ['user', 'admin'] }], total: 1, page: 1, pageSize: 20 },
    }),
    ApiValidationFailedResponse(
      '`page` (1 to 100000) or `pageSize` (1 to 100) not a plain decimal integer in range, an empty or over-long `email`, or an unknown query parameter',
      fieldErrors({ field: 'page', message: 'page must not be less than 1' }),
    ),
  );
