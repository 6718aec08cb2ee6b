import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength } from 'class-validator';
import { NormaliseEmail } from '../../users/dto/email.transform.js';
import { PASSWORD_MAX_LENGTH } from '../../users/dto/password.validator.js';

export class ChangeEmailDto {
  @ApiProperty({ format: 'email', maxLength: 254, example: 'ada@new.example.com', description: 'Trimmed and lower-cased.' })
  @NormaliseEmail()
  @MaxLength(254)
  @IsEmail()
  newEmail!: string;

  @ApiProperty({ maxLength: 2 * PASSWORD_MAX_LENGTH, example: 'correct horse battery staple' })
  @MaxLength(2 * PASSWORD_MAX_LENGTH) // UTF-16 units: 128 code points can take 256
  @IsString()
  currentPassword!: string;
}
