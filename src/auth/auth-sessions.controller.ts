import { Controller, Delete, Get, HttpCode, HttpStatus, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Auth } from '../common/auth/auth.decorator.js';
import { CurrentUser } from '../common/auth/current-user.decorator.js';
import type { AuthenticatedUser } from '../common/auth/principal.js';
import { Client, type ClientContext } from '../common/client-context.decorator.js';
import { PaginationQueryDto } from '../common/pagination.dto.js';
import { UuidParam } from '../common/uuid-param.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { EventsDocs, ListSessionsDocs, RevokeSessionDocs } from './auth-sessions.docs.js';
import { AuthEventPageDto, SessionResponseDto } from './dto/session-response.dto.js';

/** The caller's devices and security log. */
@ApiTags('sessions')
@Controller({ path: 'auth', version: '1' })
export class AuthSessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @Get('sessions')
  @Auth()
  @ListSessionsDocs()
  async list(@CurrentUser() caller: AuthenticatedUser): Promise<SessionResponseDto[]> {
    const sessions = await this.sessions.listActive(caller.id);
    return sessions.map((session) => ({ ...session, current: session.id === caller.sessionId }));
  }

  @Delete('sessions/:id')
  @Auth()
  @HttpCode(HttpStatus.NO_CONTENT)
  @RevokeSessionDocs()
  async revoke(
    @CurrentUser() caller: AuthenticatedUser,
    @UuidParam() id: string,
    @Client() client: ClientContext,
  ): Promise<void> {
    await this.sessions.revokeOwn(id, caller.id, client);
  }

  @Get('events')
  @Auth()
  @EventsDocs()
  events(@CurrentUser() caller: AuthenticatedUser, @Query() query: PaginationQueryDto): Promise<AuthEventPageDto> {
    return this.sessions.eventsPage(caller.id, query.page, query.pageSize);
  }
}
