import { Inject, Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/** API.md's refresh outcomes: a rotation, a replay within the grace window, a reuse, anything refused. */
export type RefreshResult = 'rotated' | 'grace' | 'reused' | 'invalid';

const REFRESH_RESULTS: readonly RefreshResult[] = ['rotated', 'grace', 'reused', 'invalid'];

/**
 * The authentication counters. Callers report an outcome where it is decided, so the counts do
 * not depend on which security events are written.
 */
@Injectable()
export class AuthMetrics {
  private readonly logins: Counter<'result'>;
  private readonly refreshes: Counter<'result'>;
  private readonly revocations: Counter<'reason'>;

  constructor(@Inject(Registry) registry: Registry) {
    const registers = [registry];
    this.logins = new Counter({
      name: 'auth_logins_total',
      help: 'Password logins by result: success, or the problem code of the refusal.',
      labelNames: ['result'],
      registers,
    });
    this.refreshes = new Counter({
      name: 'auth_refreshes_total',
      help: 'Refresh token presentations by result (rotated, grace, reused, invalid).',
      labelNames: ['result'],
      registers,
    });
    this.revocations = new Counter({
      name: 'auth_revocations_total',
      help: 'Sessions revoked, by reason.',
      labelNames: ['reason'],
      registers,
    });
    // Known series start at 0, so rate() sees their first increment.
    for (const result of ['success', 'invalid_credentials']) this.logins.inc({ result }, 0);
    for (const result of REFRESH_RESULTS) this.refreshes.inc({ result }, 0);
  }

  login(result: string): void {
    this.logins.inc({ result });
  }

  refresh(result: RefreshResult): void {
    this.refreshes.inc({ result });
  }

  revoked(reason: string, sessions = 1): void {
    if (sessions > 0) this.revocations.inc({ reason }, sessions);
  }
}
