import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** Body of refresh/logout. Leave `refreshToken` out to use the `refresh_token` cookie instead. */
export class RefreshTokenDto {
  @ApiPropertyOptional({
    description: 'The refresh token; omit it when the `refresh_token` cookie carries it.',
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6InJ0K2p3dCJ9…',
  })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  refreshToken?: string;
}
