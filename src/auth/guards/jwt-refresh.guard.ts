import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { authenticate } from './run-strategy.js';

/** Authenticates refresh and logout with the refresh token (strategy `jwt-refresh`: body or cookie, RefreshTokenTransport). */
@Injectable()
export class JwtRefreshGuard implements CanActivate {
  canActivate(context: ExecutionContext): Promise<boolean> {
    return authenticate(context, 'jwt-refresh', 'refresh');
  }
}
