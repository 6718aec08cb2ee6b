import { Logger, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AllConfig } from '../config/config.types.js';
import { dataSourceOptions } from './data-source-options.js';
import { embeddedPostgres } from './embedded-postgres.instance.js';

/**
 * TypeORM on PostgreSQL, migrated at start-up. Without DATABASE_URL (outside production, which
 * refuses to start so) an embedded cluster under `.data/` is started first.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: async (config: ConfigService<AllConfig, true>) => {
        const database = config.get('database', { infer: true });
        const logger = new Logger('Database');
        const url = database.url ?? (await embeddedPostgres(database.embeddedDataDir, logger).start());
        return { ...dataSourceOptions(url), migrationsRun: true };
      },
    }),
  ],
})
export class DatabaseModule {}
