import { applyDecorators } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { NO_SUCH_USER } from '../users/users.exceptions.js';
import { NotFoundException } from '../common/app.exception.js';
import { INVALID_UUID } from '../common/uuid-param.decorator.js';
import { ApiJsonOnlyResponse, ApiProblems, ApiValidationFailedResponse, fieldErrors, INVALID_JSON } from '../common/problem.dto.js';
import { UserResponseDto } from '../users/dto/user-response.dto.js';
import { ApiCurrentPasswordLimitedResponse } from '../users/users.docs.js';
import { WrongCurrentPasswordException } from '../users/users.exceptions.js';
import { LastActiveAdminException } from './auth.exceptions.js';
import { LogoutAllResponseDto } from './dto/logout-all.dto.js';
import { SessionResponseDto } from './dto/session-response.dto.js';

/** OpenAPI of AccountsController, one composed decorator per handler; the errors come from the exceptions. */

const USER_ID = '0b9b8f0e-6a0c-4f0e-9a53-2f5c3e7c1d11';
const USER = {
  id: USER_ID,
  email: 'ada@example.com',
  emailVerified: true,
  name: 'Ada Lovelace',
  roles: ['user'],
  disabled: false,
  createdAt: '2026-11-25T09:50:29.405Z',
};

const IdParamDocs = () =>
  applyDecorators(
    ApiParam({ name: 'id', schema: { type: 'string', format: 'uuid', maxLength: 36 }, example: USER_ID }),
    ApiValidationFailedResponse('`id` is not a UUID', INVALID_UUID('id')),
  );

const UserNotFound = () =>
  ApiProblems(404, 'No account with this id (`not_found`).', [new NotFoundException(NO_SUCH_USER)]);

const LastAdminConflict = (what: string) =>
  ApiProblems(409, `${what} would leave no active admin (\`conflict\`).`, [LastActiveAdminException]);

export const GetUserDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'One account (admin)', description: 'Any account, disabled ones included; never a password hash or token material.' }),
    IdParamDocs(),
    ApiOkResponse({ type: UserResponseDto, example: USER }),
    UserNotFound(),
  );

export const ChangeUserDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Change an account’s roles or disable it (admin)',
      description:
        'Disabling revokes every session of the account at once (refresh and access tokens get 401 `session_revoked`) ' +
        'and refuses its sign-in with 403 `account_disabled`. Every change is recorded in the account’s events ' +
        '(`roles_changed`, `account_disabled`, `account_enabled`) with the acting admin as `actorId`. ' +
        'New roles reach the account’s access tokens at its next refresh.',
    }),
    IdParamDocs(),
    ApiOkResponse({ type: UserResponseDto, example: { ...USER, disabled: true } }),
    ApiValidationFailedResponse(
      'Malformed id, invalid roles or an unknown field',
      INVALID_UUID('id'),
      ['unknown_role', fieldErrors({ field: 'roles', message: 'each value in roles must be one of the following values: user, admin' })],
      ['field_not_allowed', fieldErrors({ field: 'email', message: 'email is not allowed' })],
      INVALID_JSON,
    ),
    ApiJsonOnlyResponse(),
    UserNotFound(),
    LastAdminConflict('Disabling or demoting the last active admin'),
  );

export const DeleteUserDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Delete an account (admin)',
      description:
        'As `DELETE /users/me`, for any account and without its password: the account and its sessions go, its access ' +
        'tokens are refused within a second, its security events stay without IP or user agent (plus `account_deleted` ' +
        'naming the admin), and the email can register again.',
    }),
    IdParamDocs(),
    ApiNoContentResponse({ description: 'Deleted.' }),
    UserNotFound(),
    LastAdminConflict('Deleting the last active admin'),
  );

export const UserSessionsDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'An account’s active sessions (admin)', description: 'Most recently used first; `current` is always false.' }),
    IdParamDocs(),
    ApiOkResponse({
      type: [SessionResponseDto],
      example: [
        {
          id: '6adbfc9c-6f68-43a6-a2f0-0d49d5cdcea5',
          createdAt: '2026-11-25T09:52:12.704Z',
          lastUsedAt: '2026-11-25T10:07:40.118Z',
          expiresAt: '2026-12-02T10:07:40.000Z',
          userAgent: 'curl/7.88.1',
          ip: '198.51.100.23',
          current: false,
        },
      ],
    }),
    UserNotFound(),
  );

export const RevokeUserSessionsDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Sign an account out everywhere (admin)',
      description: 'Revokes every active session (access tokens refused within a second); records `logout_all` naming the admin.',
    }),
    IdParamDocs(),
    ApiOkResponse({ type: LogoutAllResponseDto, example: { revoked: 2 } }),
    UserNotFound(),
  );

export const DeleteMeDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Delete the caller’s account',
      description:
        'Needs the current password. The account and its sessions go (its access tokens are refused within a second), ' +
        'its security events stay without IP or user agent, and the email can register again. The last active admin ' +
        'cannot delete itself. A wrong current password is recorded (`account_deletion_failed`); after 5 in 15 minutes ' +
        '(counted with the password and email changes) the user is limited.',
    }),
    ApiNoContentResponse({ description: 'Deleted.' }),
    ApiCurrentPasswordLimitedResponse(),
    ApiValidationFailedResponse(
      'Wrong current password, or an invalid body',
      ['wrong_current_password', new WrongCurrentPasswordException()],
      ['field_not_allowed', fieldErrors({ field: 'reason', message: 'reason is not allowed' })],
      INVALID_JSON,
    ),
    ApiJsonOnlyResponse(),
    LastAdminConflict('Deleting the last active admin'),
  );
