import { Global, Module } from '@nestjs/common';
import { RedisConnections } from './redis-connections.js';

/** Redis (REDIS_URL) for the modules that use it as a helper: rate-limit counters, the revocation broadcast, health. */
@Global()
@Module({
  providers: [RedisConnections],
  exports: [RedisConnections],
})
export class RedisModule {}
