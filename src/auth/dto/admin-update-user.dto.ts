import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayNotEmpty, ArrayUnique, IsArray, IsBoolean, IsIn, ValidateIf } from 'class-validator';
import { ROLES, type Role } from '../../common/auth/role.js';

/** `PATCH /users/:id`: what an admin may change. `null` is refused, not read as "unchanged". */
export class AdminUpdateUserDto {
  @ApiPropertyOptional({ enum: ROLES, isArray: true, minItems: 1, maxItems: ROLES.length, uniqueItems: true, example: ['user', 'admin'] })
  @ValidateIf((dto: AdminUpdateUserDto) => dto.roles !== undefined)
  @ArrayNotEmpty()
  @ArrayMaxSize(ROLES.length)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  @IsArray()
  roles?: Role[];

  @ApiPropertyOptional({ description: 'true: sign-in refused and every session revoked; false: allowed again.', example: true })
  @ValidateIf((dto: AdminUpdateUserDto) => dto.disabled !== undefined)
  @IsBoolean()
  disabled?: boolean;
}
