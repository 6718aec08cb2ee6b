import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { User } from '../../users/entities/user.entity.js';

export const LINK_KINDS = ['password_reset', 'email_verification', 'email_change'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

/**
 * A link mailed to a user. Only the SHA-256 of the token is stored; the token itself exists only
 * in the mail. A row is spent once (`used_at`) or voided by a newer link or a password or email
 * change (`voided_at`).
 */
@Entity({ name: 'link_tokens' })
@Index('link_tokens_token_hash_key', ['tokenHash'], { unique: true })
@Index('link_tokens_user_id_kind_idx', ['userId', 'kind'], { where: 'used_at IS NULL AND voided_at IS NULL' })
export class LinkToken {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'link_tokens_user_id_fkey' })
  user?: Relation<User>;

  @Column({ type: 'varchar', length: 32 })
  kind!: LinkKind;

  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash!: string;

  /** The address an email change moves to; null for the other kinds. */
  @Column({ name: 'new_email', type: 'varchar', length: 254, nullable: true })
  newEmail!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @Column({ name: 'voided_at', type: 'timestamptz', nullable: true })
  voidedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
