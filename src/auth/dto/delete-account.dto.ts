import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '../../users/dto/password.validator.js';

export class DeleteAccountDto {
  @ApiProperty({ maxLength: 2 * PASSWORD_MAX_LENGTH, example: 'correct horse battery staple' })
  @MaxLength(2 * PASSWORD_MAX_LENGTH) // UTF-16 units: 128 code points can take 256
  @IsString()
  currentPassword!: string;
}
