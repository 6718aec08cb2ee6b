import type { Role } from '../common/auth/role.js';

/** What a refresh token is derived from: the session's current generation and its times. */
export interface SessionState {
  id: string;
  userId: string;
  generation: number;
  /** Current refresh token's issue time (`iat`), in whole seconds since the epoch. */
  rotatedAt: number;
  /** Current refresh token's expiry (`exp`): idle expiry capped by the absolute one, in whole seconds since the epoch. */
  expiresAt: number;
  roles: Role[];
  /** The account's email is verified (the access token's `email_verified` claim). */
  emailVerified: boolean;
}

export type RotationResult =
  /** The presented token was current: the session moved to the next generation. */
  | { outcome: 'rotated'; session: SessionState }
  /** The immediate parent within the grace window: answer with the current token again. */
  | { outcome: 'replayed'; session: SessionState }
  /** An older token: the session has been revoked. */
  | { outcome: 'reused'; revokedSessionId: string }
  /** Unknown, revoked or expired session. */
  | { outcome: 'inactive' }
  /** A generation the session never reached (only a leaked signing key makes that). */
  | { outcome: 'invalid' };
