import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Role } from '../../users/entities/user.entity.js';
import { ProblemDto } from '../problem.dto.js';
import { Roles } from './roles.decorator.js';

export const BEARER_SCHEME = 'access-token';

/**
 * Declares a route as needing an access token (and optionally a role) and documents exactly that
 * in OpenAPI, so the docs cannot drift from what the guards enforce.
 */
export function Auth(options: { roles?: Role[] } = {}) {
  const decorators = [
    ApiBearerAuth(BEARER_SCHEME),
    ApiUnauthorizedResponse({
      type: ProblemDto,
      description: 'Missing, invalid or expired access token (`token_missing`, `token_invalid`), or a revoked session (`session_revoked`).',
    }),
  ];
  if (options.roles?.length) {
    decorators.push(
      Roles(...options.roles),
      ApiForbiddenResponse({ type: ProblemDto, description: `Requires role: ${options.roles.join(' or ')} (\`forbidden\`).` }),
    );
  }
  return applyDecorators(...decorators);
}
