import { ApiProperty } from '@nestjs/swagger';
import type { Page } from '../../common/pagination.dto.js';
import { type User } from '../entities/user.entity.js';
import { ROLES, type Role } from '../../common/auth/role.js';

/** The public face of a user: never a hash or token material. */
export class UserResponseDto {
  @ApiProperty({ format: 'uuid', example: '0b9b8f0e-6a0c-4f0e-9a53-2f5c3e7c1d11' })
  id!: string;

  @ApiProperty({ format: 'email', example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ example: true, description: 'The owner opened a verification link sent to `email`.' })
  emailVerified!: boolean;

  @ApiProperty({ type: String, nullable: true, example: 'Ada Lovelace' })
  name!: string | null;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['user'] })
  roles!: Role[];

  @ApiProperty({ description: 'An admin disabled the account: it cannot sign in.', example: false })
  disabled!: boolean;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  static from(user: User): UserResponseDto {
    return {
      id: user.id,
      email: user.email,
      emailVerified: user.emailVerifiedAt != null,
      name: user.name,
      roles: user.roles,
      disabled: user.disabledAt !== null,
      createdAt: user.createdAt,
    };
  }
}

export class UserPageDto implements Page<UserResponseDto> {
  @ApiProperty({ type: [UserResponseDto] })
  items!: UserResponseDto[];

  @ApiProperty({ example: 1 })
  total!: number;

  @ApiProperty({ example: 1 })
  page!: number;

  @ApiProperty({ example: 20 })
  pageSize!: number;
}
