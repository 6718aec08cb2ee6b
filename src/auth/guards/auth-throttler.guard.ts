import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { RateLimitedException } from '../../common/app.exception.js';

/** ThrottlerGuard answering with the service's problem document and `Retry-After`. */
@Injectable()
export class AuthThrottlerGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new RateLimitedException(detail.isBlocked ? detail.timeToBlockExpire : detail.timeToExpire);
  }
}
