import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { DatabaseNotifications } from '../database/database-notifications.js';
import { RedisConnections } from '../redis/redis-connections.js';
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
      inject: [DatabaseNotifications, RedisConnections],
      useFactory: async (notifications: DatabaseNotifications, redis: RedisConnections): Promise<RevocationBroadcaster> => {
        if (redis.configured) {
          // Loaded only when used: keeps ioredis out of the idle footprint (bench's idle RSS, README Performance).
          const { RedisRevocationBroadcaster } = await import('./redis-revocation-broadcaster.js');
          return new RedisRevocationBroadcaster(redis);
        }
        return new PgRevocationBroadcaster(notifications);
      },
    },
  ],
  exports: [SessionsService, RevocationService],
})
export class SessionsModule {}
