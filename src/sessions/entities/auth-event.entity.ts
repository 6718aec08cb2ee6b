import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const AUTH_EVENT_TYPES = [
  'login',
  'login_failed',
  'refresh',
  'refresh_token_reused',
  'logout',
  'logout_all',
  'session_revoked',
  'password_changed',
  'password_change_failed',
  'password_reset_requested',
  'password_reset',
  'email_verified',
  'email_changed',
  'email_change_failed',
  'account_disabled',
  'account_enabled',
  'account_deleted',
  'account_deletion_failed',
  'roles_changed',
] as const;
export type AuthEventType = (typeof AUTH_EVENT_TYPES)[number];

/**
 * Append-only security log; `GET /auth/events` shows a user their own rows. No foreign key to
 * users: a deleted account's events stay (without IP and user agent), so `user_id` may name an
 * account that no longer exists.
 */
@Entity({ name: 'auth_events' })
@Index('auth_events_user_id_created_at_idx', ['userId', 'createdAt'])
export class AuthEvent {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  sessionId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  type!: AuthEventType;

  /** The admin who acted on the account; null when the account holder (or the service) did. */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ type: 'varchar', length: 45, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
