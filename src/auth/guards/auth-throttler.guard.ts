import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { RateLimitedException } from '../../common/app.exception.js';

/** ThrottlerGuard answering with the service's problem document and `Retry-After`. */
@Injectable()
export class AuthThrottlerGuard extends ThrottlerGuard {
  /**
   * THROTTLE_ENABLED=false (the module's `skipIf`) skips the whole guard at once; ThrottlerGuard
   * would otherwise still look up every window's route metadata on each request before asking it.
   */
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return this.commonOptions.skipIf?.(context) === true || super.shouldSkip(context);
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new RateLimitedException(detail.isBlocked ? detail.timeToBlockExpire : detail.timeToExpire);
  }
}
