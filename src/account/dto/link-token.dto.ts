import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';

/** Issued tokens are 43 base64url characters; the limit leaves room for a longer kind. */
const LINK_TOKEN_MAX_LENGTH = 128;
/** base64url (hex is a subset), the alphabet API.md promises for link tokens. */
const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]+$/;

/**
 * The `token` of a mailed link. Any base64url string that fits is looked up (an unknown one is
 * `link_invalid`, like a used or expired one); a non-string, empty, oversized or non-base64url
 * value is a validation error.
 */
export const LinkTokenProperty = () =>
  applyDecorators(
    ApiProperty({
      maxLength: LINK_TOKEN_MAX_LENGTH,
      pattern: LINK_TOKEN_PATTERN.source,
      description: 'The `token` query parameter of the mailed link.',
      example: 'q9ZpZ7b2Yd1Hc3k0aT8Qm4LrW6xV2sN5eJ1fU0gBt3o',
    }),
    IsString(),
    IsNotEmpty(),
    MaxLength(LINK_TOKEN_MAX_LENGTH),
    Matches(LINK_TOKEN_PATTERN, { message: '$property must be base64url' }),
  );

export class VerifyEmailDto {
  @LinkTokenProperty()
  token!: string;
}
