import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../config/config.types.js';
import { DatabaseModule } from '../database/database.module.js';
import { DatabaseNotifications } from '../database/database-notifications.js';
import { AuthEvent } from './entities/auth-event.entity.js';
import { Session } from './entities/session.entity.js';
import { PgRevocationBroadcaster } from './pg-revocation-broadcaster.js';
import { RevocationBroadcaster } from './revocation-broadcaster.js';
import { RevocationService } from './revocation.service.js';
import { SessionsCleanupRepository } from './sessions-cleanup.repository.js';
import { SessionsCleanupService } from './sessions-cleanup.service.js';
import { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';

@Module({
  imports: [DatabaseModule.forFeature([Session, AuthEvent])],
  providers: [
    SessionsRepository,
    SessionsService,
    RevocationService,
    SessionsCleanupRepository,
    SessionsCleanupService,
    {
      // Redis pub/sub when REDIS_URL is set, else LISTEN/NOTIFY on a direct PostgreSQL connection.
      provide: RevocationBroadcaster,
      inject: [ConfigService, DatabaseNotifications],
      useFactory: async (
        config: ConfigService<AllConfig, true>,
        notifications: DatabaseNotifications,
      ): Promise<RevocationBroadcaster> => {
        const redisUrl = config.get('redis.url', { infer: true });
        if (redisUrl) {
          // Loaded only when used: keeps ioredis out of the idle footprint (bench's idle RSS, README Performance).
          const { RedisRevocationBroadcaster } = await import('./redis-revocation-broadcaster.js');
          return new RedisRevocationBroadcaster(redisUrl);
        }
        return new PgRevocationBroadcaster(notifications);
      },
    },
  ],
  exports: [SessionsService, RevocationService],
})
export class SessionsModule {}
