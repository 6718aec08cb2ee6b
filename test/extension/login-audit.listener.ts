import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import type { SecurityEvent } from '../../src/sessions/security-events.js';

@Injectable()
export class LoginAuditListener {
  readonly logins: SecurityEvent[] = [];

  @OnEvent('auth.login')
  onLogin(event: SecurityEvent) {   // { type, userId, sessionId, ip, userAgent, at }
    this.logins.push(event);        // e.g. e-mail the user when event.userAgent is new to them
  }
}
