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
  @MaxLength(REFRESH_TOKEN_MAX_LENGTH)
  @IsString()
  refreshToken?: string;

  /**
   * No body, `{}`, or `refreshToken` alone as a string within the limit: valid without asking
   * class-validator (AppValidationPipe, `refresh` benchmark scenario). Anything else is validated in full.
   */
  static accepts(body: unknown): boolean {
    if (body === undefined) return true;
    if (typeof body !== 'object' || body === null || Object.getPrototypeOf(body) !== Object.prototype) return false;
    const keys = Object.keys(body);
    if (keys.length === 0) return true;
    const token = (body as { refreshToken?: unknown }).refreshToken;
    return keys.length === 1 && typeof token === 'string' && token.length <= REFRESH_TOKEN_MAX_LENGTH;
  }
}
