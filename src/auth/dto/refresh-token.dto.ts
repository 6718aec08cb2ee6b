import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Far above a real refresh token (a few hundred characters); longer input is refused unparsed. */
const REFRESH_TOKEN_MAX_LENGTH = 4096;

/** Body of refresh/logout. Leave `refreshToken` out to use the `refresh_token` cookie instead. */
export class RefreshTokenDto {
  @ApiPropertyOptional({
    description: 'The refresh token; omit it when the `refresh_token` cookie carries it.',
    maxLength: REFRESH_TOKEN_MAX_LENGTH,
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6InJ0K2p3dCJ9…',
  })
  @IsOptional()
  @IsString()
  @MaxLength(REFRESH_TOKEN_MAX_LENGTH)
  refreshToken?: string;
}
