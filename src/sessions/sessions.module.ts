import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AllConfig } from '../config/config.types.js';
import { RedisConnections } from '../redis/redis-connections.js';
import { AuthEvent } from './entities/auth-event.entity.js';
import { Session } from './entities/session.entity.js';
import { PgRevocationBroadcaster } from './pg-revocation-broadcaster.js';
import { RevocationBroadcaster } from './revocation-broadcaster.js';
import { RevocationService } from './revocation.service.js';
import { SessionsCleanupService } from './sessions-cleanup.service.js';
import { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([Session, AuthEvent])],
  providers: [
    SessionsRepository,
    SessionsService,
    RevocationService,
    SessionsCleanupService,
    {
      // Redis pub/sub when REDIS_URL is set, else LISTEN/NOTIFY on a direct PostgreSQL connection.
      provide: RevocationBroadcaster,
      inject: [ConfigService, getDataSourceToken(), RedisConnections],
      useFactory: async (
        config: ConfigService<AllConfig, true>,
        db: DataSource,
        redis: RedisConnections,
      ): Promise<RevocationBroadcaster> => {
        if (redis.configured) {
          // Loaded only when used: ioredis alone adds ~7 MB to the resident set.
          const { RedisRevocationBroadcaster } = await import('./redis-revocation-broadcaster.js');
          return new RedisRevocationBroadcaster(redis);
        }
        const listenUrl =
          config.get('database.listenUrl', { infer: true }) ?? (db.options as { url: string }).url;
        return new PgRevocationBroadcaster(db, listenUrl);
      },
    },
  ],
  exports: [SessionsService, RevocationService],
})
export class SessionsModule {}
