import type { Role } from '../../common/auth/role.js';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
export const REFRESH_TOKEN_TYPE = 'rt+jwt';

export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  roles: Role[];
  /** The account's email was verified when the token was issued. */
  email_verified: boolean;
}

export interface RefreshTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  sid: string;
  /** `<sid>.<generation>`: unique per token, and tells the server which generation it is. */
  jti: string;
  iat: number;
  exp: number;
}

/** The verified holder of a refresh token: whose session, and which generation of its token. */
export interface RefreshPrincipal {
  userId: string;
  sessionId: string;
  generation: number;
}
