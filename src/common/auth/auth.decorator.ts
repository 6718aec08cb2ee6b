import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { Role } from './role.js';
import { ForbiddenException } from '../app.exception.js';
import { ApiProblems } from '../problem.dto.js';
import { SessionRevokedException, TokenInvalidException, TokenMissingException } from './token.exceptions.js';
import { Roles } from './roles.decorator.js';

export const BEARER_SCHEME = 'access-token';
/** The refresh token's cookie, and its OpenAPI security scheme (refresh and logout). */
export const REFRESH_COOKIE = 'refresh_token';
export const REFRESH_COOKIE_SCHEME = 'refresh-cookie';

/** The RFC 6750 challenge JwtAuthGuard sends with every 401 of a bearer-protected route. */
const BEARER_CHALLENGE = {
  'WWW-Authenticate': {
    description: '`Bearer` without a token, `Bearer error="invalid_token"` with a bad one.',
    schema: { type: 'string', enum: ['Bearer', 'Bearer error="invalid_token"'], example: 'Bearer error="invalid_token"' },
  },
};

/**
 * Declares a route as needing an access token (and optionally a role) and documents exactly that
 * in OpenAPI, so the docs cannot drift from what the guards enforce.
 */
export function Auth(options: { roles?: Role[] } = {}) {
  const decorators = [
    ApiBearerAuth(BEARER_SCHEME),
    ApiProblems(
      401,
      'Missing, invalid or expired access token (`token_missing`, `token_invalid`), or a revoked session (`session_revoked`).',
      [TokenMissingException, TokenInvalidException, SessionRevokedException],
      BEARER_CHALLENGE,
    ),
  ];
  if (options.roles?.length) {
    decorators.push(
      Roles(...options.roles),
      ApiProblems(403, `Requires role: ${options.roles.join(' or ')} (\`forbidden\`).`, [ForbiddenException]),
    );
  }
  return applyDecorators(...decorators);
}
