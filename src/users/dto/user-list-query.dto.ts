import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { PaginationQueryDto } from '../../common/pagination.dto.js';
import { NormaliseEmail } from './email.transform.js';

/** `GET /users`: a page, optionally only the emails starting with `email` (case-insensitive). */
export class UserListQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({
    description: 'Keeps the accounts whose email starts with this text (case-insensitive; `%` and `_` match themselves).',
    minLength: 1,
    maxLength: 254,
    example: 'ada@',
  })
  @IsOptional()
  @NormaliseEmail()
  @Length(1, 254)
  @IsString()
  email?: string;
}
