import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { Role } from './role.js';
import { ApiProblemResponse } from '../problem.dto.js';
import { Roles } from './roles.decorator.js';

export const BEARER_SCHEME = 'access-token';

/** The RFC 6750 challenge JwtAuthGuard sends with every 401 of a bearer-protected route. */
const BEARER_CHALLENGE = {
  'WWW-Authenticate': {
    description: '`Bearer` without a token, `Bearer error="invalid_token"` with a bad one.',
    schema: { type: 'string', example: 'Bearer error="invalid_token"' },
  },
};

/**
 * Declares a route as needing an access token (and optionally a role) and documents exactly that
 * in OpenAPI, so the docs cannot drift from what the guards enforce.
 */
export function Auth(options: { roles?: Role[] } = {}) {
  const decorators = [
    ApiBearerAuth(BEARER_SCHEME),
    ApiProblemResponse(
      401,
      'Missing, invalid or expired access token (`token_missing`, `token_invalid`), or a revoked session (`session_revoked`).',
      [
        { code: 'token_missing', title: 'Token missing', detail: 'Send an access token as `Authorization: Bearer <token>`.' },
        { code: 'token_invalid', title: 'Token invalid', detail: 'The access token is malformed, expired or not signed by this service.' },
        {
          code: 'session_revoked',
          title: 'Session revoked',
          detail: 'The session has ended (logged out, revoked or expired); sign in again.',
        },
      ],
      BEARER_CHALLENGE,
    ),
  ];
  if (options.roles?.length) {
    decorators.push(
      Roles(...options.roles),
      ApiProblemResponse(403, `Requires role: ${options.roles.join(' or ')} (\`forbidden\`).`, [
        { code: 'forbidden', title: 'Forbidden', detail: 'You do not have permission to do this.' },
      ]),
    );
  }
  return applyDecorators(...decorators);
}
