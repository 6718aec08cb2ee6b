import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { IsAcceptablePassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password.validator.js';

export class ChangePasswordDto {
  @ApiProperty({ maxLength: 2 * PASSWORD_MAX_LENGTH, example: 'correct horse battery staple' })
  @MaxLength(2 * PASSWORD_MAX_LENGTH) // UTF-16 units: 128 code points can take 256
  @IsString()
  currentPassword!: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH, example: 'a new, longer passphrase' })
  @IsAcceptablePassword()
  newPassword!: string;
}
