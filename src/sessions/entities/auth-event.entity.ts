import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { User } from '../../users/entities/user.entity.js';

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
] as const;
export type AuthEventType = (typeof AUTH_EVENT_TYPES)[number];

/** Append-only security log; `GET /auth/events` shows a user their own rows. */
@Entity({ name: 'auth_events' })
@Index('auth_events_user_id_created_at_idx', ['userId', 'createdAt'])
export class AuthEvent {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id!: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId!: string | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'auth_events_user_id_fkey' })
  user?: Relation<User> | null;

  @Column({ name: 'session_id', type: 'uuid', nullable: true })
  sessionId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  type!: AuthEventType;

  @Column({ type: 'varchar', length: 45, nullable: true })
  ip!: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
