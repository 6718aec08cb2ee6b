import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/**
 * The `token` of a mailed link. Any string that fits is looked up (an unknown one is
 * `link_invalid`, like a used or expired one); only a non-string, empty or oversized value is a
 * validation error.
 */
export const LinkTokenProperty = () =>
  applyDecorators(
    ApiProperty({
      maxLength: 256,
      description: 'The `token` query parameter of the mailed link.',
      example: 'q9ZpZ7b2Yd1Hc3k0aT8Qm4LrW6xV2sN5eJ1fU0gBt3o',
    }),
    IsString(),
    IsNotEmpty(),
    MaxLength(256),
  );

export class VerifyEmailDto {
  @LinkTokenProperty()
  token!: string;
}
