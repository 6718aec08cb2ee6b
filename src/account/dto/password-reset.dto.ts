import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, MaxLength } from 'class-validator';
import { NormaliseEmail } from '../../users/dto/email.transform.js';
import { IsAcceptablePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../users/dto/password.validator.js';
import { LinkTokenProperty } from './link-token.dto.js';

export class ForgotPasswordDto {
  @ApiProperty({ format: 'email', maxLength: 254, example: 'ada@example.com', description: 'Trimmed and lower-cased.' })
  @NormaliseEmail()
  @MaxLength(254)
  @IsEmail()
  email!: string;
}

export class ResetPasswordDto {
  @LinkTokenProperty()
  token!: string;

  @ApiProperty({
    minLength: PASSWORD_MIN_LENGTH,
    maxLength: PASSWORD_MAX_LENGTH,
    example: 'a new, longer passphrase',
    description: '8–128 characters, any Unicode; the 10,000 most common passwords are refused.',
  })
  @IsAcceptablePassword()
  newPassword!: string;
}
