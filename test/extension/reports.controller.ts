import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Auth } from '../../src/common/auth/auth.decorator.js';
import { CurrentUser } from '../../src/common/auth/current-user.decorator.js';
import type { AuthenticatedUser } from '../../src/common/auth/principal.js';
import { LoginAuditListener } from './login-audit.listener.js';

@ApiTags('reports')
@Controller({ path: 'reports', version: '1' })
export class ReportsController {
  constructor(private readonly audit: LoginAuditListener) {}

  @Get('me')
  @Auth()                                   // access token + Swagger lock icon, in one
  me(@CurrentUser() user: AuthenticatedUser) {
    return { userId: user.id, sessionId: user.sessionId, roles: user.roles };
  }

  @Get('logins')
  @Auth({ roles: ['admin'] })               // 403 `forbidden` for others
  logins(@CurrentUser() admin: AuthenticatedUser) {
    const logins = this.audit.logins.map(({ userId, sessionId, at }) => ({ userId, sessionId, at }));
    return { requestedBy: admin.id, logins };
  }
}
