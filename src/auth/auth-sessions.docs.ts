import { applyDecorators } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiParam } from '@nestjs/swagger';
import { ApiProblems, ApiValidationFailedResponse, fieldErrors } from '../common/problem.dto.js';
import { SessionNotFoundException } from '../sessions/sessions.exceptions.js';
import { AuthEventPageDto, SessionResponseDto } from './dto/session-response.dto.js';

/** OpenAPI of AuthSessionsController, one composed decorator per handler. */

const SESSION_ID = '6adbfc9c-6f68-43a6-a2f0-0d49d5cdcea5';
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36';


export const ListSessionsDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'The caller’s active sessions (one per device)', description: 'Most recently used first.' }),
    ApiOkResponse({
      type: [SessionResponseDto],
      example: [
        {
          id: SESSION_ID,
          createdAt: '2026-11-25T09:52:12.704Z',
          lastUsedAt: '2026-11-25T10:07:40.118Z',
          expiresAt: '2026-12-02T10:07:40.000Z',
          userAgent: USER_AGENT,
          ip: '203.0.113.7',
          current: true,
        },
        {
          id: '3d0c5f5e-1b0e-4c43-9d2a-8a7f7f1f2b64',
          createdAt: '2026-11-20T18:01:05.000Z',
          lastUsedAt: '2026-11-24T21:15:33.000Z',
          expiresAt: '2026-12-01T21:15:33.000Z',
          userAgent: 'curl/7.88.1',
          ip: '198.51.100.23',
          current: false,
        },
      ],
    }),
  );

export const RevokeSessionDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'Revoke one of the caller’s sessions', description: 'Its refresh and access tokens stop working.' }),
    ApiParam({ name: 'id', description: 'A session id from GET /auth/sessions.', schema: { type: 'string', format: 'uuid', maxLength: 36 } }),
    ApiNoContentResponse({ description: 'Revoked.' }),
    ApiProblems(404, 'Not an active session of the caller (`not_found`).', [SessionNotFoundException]),
    ApiValidationFailedResponse('`id` is not a UUID', fieldErrors({ field: 'id', message: 'id must be a UUID' })),
  );

export const EventsDocs = () =>
  applyDecorators(
    ApiOperation({ summary: 'The caller’s security events', description: 'Newest first.' }),
    ApiOkResponse({
      type: AuthEventPageDto,
      example: {
        items: [
          { type: 'login', at: '2026-11-25T09:52:12.704Z', ip: '203.0.113.7', userAgent: USER_AGENT, sessionId: SESSION_ID, actorId: null },
        ],
        total: 1,
        page: 1,
        pageSize: 20,
      },
    }),
    ApiValidationFailedResponse(
      '`page` (1 to 100000) or `pageSize` (1 to 100) not a plain decimal integer in range, or an unknown query parameter',
      fieldErrors({ field: 'pageSize', message: 'pageSize must not be greater than 100' }),
    ),
  );
