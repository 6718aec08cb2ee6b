import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_PAGE = 100_000;
export const MAX_PAGE_SIZE = 100;

/**
 * Only plain decimal digits become a number; anything else (`1e300`, `-1`, `1.5`, `abc`, a
 * repeated parameter) stays as sent and fails @IsInt, so it never reaches an OFFSET.
 */
const decimalInteger = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^[0-9]{1,20}$/.test(value) ? Number(value) : value));

/** `?page=&pageSize=` shared by every listing (1-based pages, at most 100 items), never clamped. */
export class PaginationQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 1, example: 1 })
  @IsOptional()
  @decimalInteger()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page: number = 1;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: 20, example: 20 })
  @IsOptional()
  @decimalInteger()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  pageSize: number = 20;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}
