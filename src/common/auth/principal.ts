import type { Role } from './role.js';

/** The verified caller of a protected route, built from the access token alone (no database read). */
export interface AuthenticatedUser {
  /** User id (`sub`). */
  id: string;
  /** Session id (`sid`) the access token belongs to. */
  sessionId: string;
  roles: Role[];
  /** Access token id (`jti`), issued-at and expiry (seconds since the epoch). */
  tokenId: string;
  issuedAt: number;
  expiresAt: number;
}
