import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'email' })
  field!: string;

  @ApiProperty({ example: 'email must be an email' })
  message!: string;
}

/** RFC 9457 problem document, as every error of the API is returned (application/problem+json). */
export class ProblemDto {
  @ApiProperty({ example: 'urn:problem-type:auth-service:validation_failed' })
  type!: string;

  @ApiProperty({ example: 'Validation failed' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiPropertyOptional({ example: 'The request is not valid.' })
  detail?: string;

  @ApiPropertyOptional({ example: '/api/v1/auth/register' })
  instance?: string;

  @ApiProperty({ example: 'validation_failed', description: 'Stable machine-readable error code.' })
  code!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];
}
