import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { NormaliseEmail } from '../../users/dto/email.transform.js';
import { PASSWORD_MAX_LENGTH } from '../../users/dto/password.validator.js';

export class LoginDto {
  @ApiProperty({ format: 'email', maxLength: 254, example: 'ada@example.com' })
  @NormaliseEmail()
  @MaxLength(254)
  @IsEmail()
  email!: string;

  @ApiProperty({ minLength: 1, maxLength: 2 * PASSWORD_MAX_LENGTH, example: 'correct horse battery staple' })
  @MinLength(1)
  @MaxLength(2 * PASSWORD_MAX_LENGTH) // UTF-16 units: 128 code points can take 256
  @IsString()
  password!: string;
}
