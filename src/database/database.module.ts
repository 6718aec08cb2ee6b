import { Global, Logger, Module, type DynamicModule } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AllConfig } from '../config/config.types.js';
import { DatabaseNotifications } from './database-notifications.js';
import { dataSourceOptions } from './data-source-options.js';
import { embeddedPostgres } from './embedded-postgres.instance.js';
import { MigrationStatus } from './migration-status.js';
import { PreparedStatements } from './prepared-statements.js';
import { Transactions } from './transactions.js';

/**
 * TypeORM on PostgreSQL, migrated at start-up. Without DATABASE_URL (outside production, which
 * refuses to start so) an embedded cluster under `.data/` is started first. Feature modules
 * register their entities with `DatabaseModule.forFeature`, so this layer names no feature.
 * Global: every repository uses its PreparedStatements, every multi-write flow its Transactions.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: async (config: ConfigService<AllConfig, true>) => {
        const database = config.get('database', { infer: true });
        const logger = new Logger('Database');
        const url = database.url ?? (await embeddedPostgres(database.embeddedDataDir, logger).start());
        return { ...dataSourceOptions(url), autoLoadEntities: true, migrationsRun: true };
      },
    }),
  ],
  providers: [DatabaseNotifications, MigrationStatus, PreparedStatements, Transactions],
  exports: [DatabaseNotifications, MigrationStatus, PreparedStatements, Transactions],
})
export class DatabaseModule {
  /** The entities (tables) a feature's repositories use. */
  static forFeature(entities: Parameters<typeof TypeOrmModule.forFeature>[0]): DynamicModule {
    return TypeOrmModule.forFeature(entities);
  }
}
