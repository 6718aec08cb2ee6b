import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROLES } from '../../common/auth/role.js';
import { UserResponseDto } from '../../users/dto/user-response.dto.js';

/** A compact JWS: three base64url parts. */
const JWT_PATTERN = '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$';

export class TokenResponseDto {
  @ApiProperty({ pattern: JWT_PATTERN, description: 'JWT (`typ: at+jwt`); send as `Authorization: Bearer <token>`.' })
  accessToken!: string;

  @ApiPropertyOptional({ pattern: JWT_PATTERN, description: 'JWT (`typ: rt+jwt`); omitted when REFRESH_TOKEN_TRANSPORT=cookie.' })
  refreshToken?: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  tokenType!: 'Bearer';

  @ApiProperty({ example: 900, description: 'Seconds until the access token expires.' })
  expiresIn!: number;

  @ApiProperty({ example: 604800, description: 'Seconds until the refresh token expires.' })
  refreshExpiresIn!: number;
}

export class RegisterResponseDto extends TokenResponseDto {
  @ApiProperty({ type: UserResponseDto })
  user!: UserResponseDto;
}

/** Registration while AUTH_EMAIL_VERIFICATION=required: the account only, no tokens and no session. */
export class RegisterPendingResponseDto {
  @ApiProperty({ type: UserResponseDto })
  user!: UserResponseDto;
}

export class TokenInfoDto {
  @ApiProperty({ format: 'uuid', description: 'User id.' })
  sub!: string;

  @ApiProperty({ format: 'uuid', description: 'Session id.' })
  sid!: string;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['user'] })
  roles!: string[];

  @ApiProperty({ example: 1764060000 })
  iat!: number;

  @ApiProperty({ example: 1764060900 })
  exp!: number;
}
