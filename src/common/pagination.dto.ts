import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_PAGE = 100_000;
export const MAX_PAGE_SIZE = 100;

/** Plain decimal digits only: `1e2`, `0x10` or ` 5` stay strings and fail @IsInt (never a silent conversion). */
const decimal = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^[0-9]{1,9}$/.test(value) ? Number(value) : value));

/** `?page=&pageSize=` shared by every listing (1-based pages up to 100,000, at most 100 items). */
export class PaginationQueryDto {
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: MAX_PAGE, default: 1, example: 1 })
  @IsOptional()
  @decimal()
  @Min(1)
  @Max(MAX_PAGE)
  @IsInt()
  page: number = 1;

  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: MAX_PAGE_SIZE, default: 20, example: 20 })
  @IsOptional()
  @decimal()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  @IsInt()
  pageSize: number = 20;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
