import { applyDecorators } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import {
  ApiJsonOnlyResponse,
  ApiProblems,
  ApiRateLimitedResponse,
  ApiValidationFailedResponse,
  fieldErrors,
  INVALID_JSON,
} from '../common/problem.dto.js';
import { UserResponseDto } from '../users/dto/user-response.dto.js';
import { ApiCurrentPasswordLimitedResponse } from '../users/users.docs.js';
import { EmailTakenException, WrongCurrentPasswordException } from '../users/users.exceptions.js';
import { LinkInvalidException } from './account.exceptions.js';

/** OpenAPI of the account routes, one composed decorator per handler; the errors come from the exceptions. */

const USER_EXAMPLE = {
  id: '0b9b8f0e-6a0c-4f0e-9a53-2f5c3e7c1d11',
  email: 'ada@example.com',
  emailVerified: true,
  name: 'Ada Lovelace',
  roles: ['user'],
  disabled: false,
  createdAt: '2026-11-25T09:50:29.405Z',
};

const LinkInvalid = () =>
  ApiProblems(400, 'The link is unknown, used, superseded or expired (`link_invalid`); nothing changed.', [LinkInvalidException]);
const EmailTaken = (when: string) => ApiProblems(409, `${when} (\`email_taken\`).`, [EmailTakenException]);

export const ForgotPasswordDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Mail a password-reset link',
      description:
        'Always 202 with an empty body, in the same time whether or not an account has this email; when one ' +
        'does, a link to `APP_URL/reset-password?token=…` is mailed (valid PASSWORD_RESET_TTL, default 1 h; a newer ' +
        'link replaces it). Limited to 5 per email and 20 per IP per hour.',
    }),
    ApiAcceptedResponse({ description: 'Accepted; a link is mailed if the account exists.' }),
    ApiValidationFailedResponse('Not an email, or an unknown field', fieldErrors({ field: 'email', message: 'email must be an email' }), INVALID_JSON),
    ApiJsonOnlyResponse(),
    ApiRateLimitedResponse('More than 5 requests for this email, or 20 from this IP, in an hour (`rate_limited`).', []),
  );

export const ResetPasswordDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Set a new password with a reset link',
      description:
        'Spends the link (single use), stores the new password, voids the other reset links and revokes every ' +
        'session of the account: its refresh and access tokens stop working.',
    }),
    ApiNoContentResponse({ description: 'Password changed; every session is signed out.' }),
    ApiValidationFailedResponse(
      'Unacceptable new password, a missing token, or an unknown field',
      fieldErrors({ field: 'newPassword', message: 'newPassword is too common; choose a less guessable password' }),
      INVALID_JSON,
    ),
    LinkInvalid(),
    ApiJsonOnlyResponse(),
  );

export const ResendVerificationDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Mail a new verification link to the caller’s email',
      description:
        'A link to `APP_URL/verify-email?token=…` (valid EMAIL_VERIFICATION_TTL, default 24 h) replaces earlier ones. ' +
        'Nothing is sent when the email is verified already or AUTH_EMAIL_VERIFICATION=off. Limited to 5 per user per hour.',
    }),
    ApiAcceptedResponse({ description: 'Accepted; a link is mailed unless the email is verified.' }),
    // The route reads no body, but a JSON body that does not parse is refused before it runs.
    ApiValidationFailedResponse('A body that is not valid JSON', INVALID_JSON),
    ApiRateLimitedResponse('More than 5 requests for this user in an hour (`rate_limited`).', []),
  );

export const VerifyEmailDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Verify an email, or confirm an email change, with a mailed link',
      description:
        'Spends the link (single use). A verification link marks the email verified; an email-change link moves ' +
        'the account to the new address (verified) and voids its outstanding reset and verification links. Sessions stay.',
    }),
    ApiOkResponse({ type: UserResponseDto, example: USER_EXAMPLE }),
    ApiValidationFailedResponse(
      'A missing or non-string token, or an unknown field',
      fieldErrors({ field: 'token', message: 'token must be a string' }),
      INVALID_JSON,
    ),
    LinkInvalid(),
    EmailTaken('The new address was registered by another account since the change was asked for'),
    ApiJsonOnlyResponse(),
  );

export const ChangeEmailDocs = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Change the caller’s email (confirmed by a link)',
      description:
        'Checks the current password and mails a confirmation link (`APP_URL/verify-email?token=…`) to the new address; ' +
        'the current address gets a notice. The email changes only when the link is opened (POST /auth/email/verify). ' +
        'A wrong current password is recorded (`email_change_failed`); after 5 in 15 minutes (counted with the ' +
        'password change and account deletion) the user is limited.',
    }),
    ApiAcceptedResponse({ description: 'Accepted; the confirmation link is mailed to the new address.' }),
    ApiCurrentPasswordLimitedResponse(),
    ApiValidationFailedResponse(
      'Wrong current password, an invalid new email, or an unknown field',
      ['wrong_current_password', new WrongCurrentPasswordException()],
      ['invalid_email', fieldErrors({ field: 'newEmail', message: 'newEmail must be an email' })],
      INVALID_JSON,
    ),
    EmailTaken('An account with the new email exists'),
    ApiJsonOnlyResponse(),
  );
