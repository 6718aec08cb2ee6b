import { ApiProperty } from '@nestjs/swagger';
import { AUTH_EVENT_TYPES, type AuthEventType } from '../../sessions/entities/auth-event.entity.js';

export class SessionResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({ type: String, format: 'date-time', description: 'Login or last refresh.' })
  lastUsedAt!: Date;

  @ApiProperty({ type: String, format: 'date-time', description: 'Expiry unless refreshed before.' })
  expiresAt!: Date;

  @ApiProperty({ type: String, nullable: true, example: 'Mozilla/5.0 (X11; Linux x86_64)' })
  userAgent!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip!: string | null;

  @ApiProperty({ description: 'The session of the calling access token.' })
  current!: boolean;
}

export class AuthEventResponseDto {
  @ApiProperty({ enum: AUTH_EVENT_TYPES })
  type!: AuthEventType;

  @ApiProperty({ type: String, format: 'date-time' })
  at!: Date;

  @ApiProperty({ type: String, nullable: true })
  ip!: string | null;

  @ApiProperty({ type: String, nullable: true })
  userAgent!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  sessionId!: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The admin who acted on the account (disabled, enabled, roles, sessions, deletion); null otherwise.',
  })
  actorId!: string | null;
}

export class AuthEventPageDto {
  @ApiProperty({ type: [AuthEventResponseDto] })
  items!: AuthEventResponseDto[];

  @ApiProperty({
    example: 12,
    description:
      'The number of events, counted up to 1,000 past the requested page: a longer history reports ' +
      '`page × pageSize + 1000`, which still leads to every next page (the count stays cheap however long the history).',
  })
  total!: number;

  @ApiProperty({ example: 1 })
  page!: number;

  @ApiProperty({ example: 20 })
  pageSize!: number;
}
