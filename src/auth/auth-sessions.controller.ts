import { Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFoundException } from '../common/app.exception.js';
import { Auth } from '../common/auth/auth.decorator.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import type { AuthenticatedUser } from '../common/auth/principal.js';
import { Client, type ClientContext } from '../common/client-context.decorator.js';
import { PaginationQueryDto } from '../common/pagination.dto.js';
import { ProblemDto } from '../common/problem.dto.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { AuthEventPageDto, SessionResponseDto } from './dto/session-response.dto.js';

/** The caller's devices and security log. */
@ApiTags('sessions')
@Controller({ path: 'auth', version: '1' })
export class AuthSessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get('sessions')
  @Auth()
  @ApiOperation({ summary: 'The caller’s active sessions (one per device)', description: 'Most recently used first.' })
  @ApiOkResponse({ type: [SessionResponseDto] })
  async list(@CurrentUser() caller: AuthenticatedUser): Promise<SessionResponseDto[]> {
    const sessions = await this.sessions.listActive(caller.id);
    return sessions.map((session) => ({ ...session, current: session.id === caller.sessionId }));
  }

  @Delete('sessions/:id')
  @Auth()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Revoke one of the caller’s sessions', description: 'Its refresh and access tokens stop working.' })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiNotFoundResponse({ type: ProblemDto, description: 'Not an active session of the caller (`not_found`).' })
  async revoke(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => new NotFoundException('No active session with this id.') }))
    id: string,
    @Client() client: ClientContext,
  ): Promise<void> {
    await this.sessions.revokeOwn(id, caller.id, client);
  }

  @Get('events')
  @Auth()
  @ApiOperation({ summary: 'The caller’s security events', description: 'Newest first.' })
  @ApiOkResponse({ type: AuthEventPageDto })
  events(@CurrentUser() caller: AuthenticatedUser, @Query() query: PaginationQueryDto): Promise<AuthEventPageDto> {
    return this.sessions.eventsPage(caller.id, query.page, query.pageSize);
  }
}
