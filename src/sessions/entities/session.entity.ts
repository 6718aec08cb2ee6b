import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { User } from '../../users/entities/user.entity.js';

export const REVOKE_REASONS = [
  'logout',
  'logout_all',
  'revoked',
  'password_changed',
  'password_reset',
  'refresh_token_reused',
  'session_limit',
  'account_disabled',
] as const;
export type RevokeReason = (typeof REVOKE_REASONS)[number];

/**
 * One row per device login. The current refresh token is fully determined by
 * (id, generation, rotated_at, expires_at) and the server's refresh key, so the table holds
 * no token material at all: a database reader cannot mint or replay a token.
 */
@Entity({ name: 'sessions' })
@Index('sessions_user_id_idx', ['userId'])
@Index('sessions_revoked_at_idx', ['revokedAt'], { where: 'revoked_at IS NOT NULL' })
// An expression index (when the session surely ended) for the batched clean-up; see its migration.
@Index('sessions_ended_at_idx', { synchronize: false })
export class Session {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'sessions_user_id_fkey' })
  user?: Relation<User>;

  /** Number of the current refresh token; each rotation increments it. */
  @Column({ type: 'integer', default: 0 })
  generation!: number;

  /** When the current refresh token was issued (its `iat`); only rotation writes it. */
  @Column({ name: 'rotated_at', type: 'timestamptz' })
  rotatedAt!: Date;

  /** Idle expiry: the current refresh token's `exp`, renewed by rotation. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** Absolute expiry, fixed at login. */
  @Column({ name: 'absolute_expires_at', type: 'timestamptz' })
  absoluteExpiresAt!: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz' })
  lastUsedAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoke_reason', type: 'varchar', length: 32, nullable: true })
  revokeReason!: RevokeReason | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent!: string | null;

  @Column({ type: 'varchar', length: 45, nullable: true })
  ip!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
