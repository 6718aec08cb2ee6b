import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';

export class LogoutAllDto {
  @ApiPropertyOptional({ default: false, description: 'Keep the session of the calling access token.' })
  @IsOptional()
  @IsBoolean()
  keepCurrent?: boolean;
}

export class LogoutAllResponseDto {
  @ApiProperty({ example: 3, description: 'How many sessions were revoked.' })
  revoked!: number;
}
