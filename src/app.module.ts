import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { AuthModule } from './auth/auth.module.js';
import { ProblemDetailsFilter } from './common/problem-details.filter.js';
import { createValidationPipe } from './common/validation.pipe.js';
import type { AllConfig } from './config/config.types.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { MailModule } from './mail/mail.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { UsersModule } from './users/users.module.js';

/**
 * The application for one validated configuration. main.ts and cli.ts pass the environment
 * through validateEnv(); the e2e suite builds apps with their own settings (see the Passport
 * caveat in test/setup/create-test-app.ts when several run in one process).
 */
@Module({})
export class AppModule {
  static forRoot(config: AllConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, cache: true, ignoreEnvFile: true, validate: () => config }),
        EventEmitterModule.forRoot({ wildcard: true }),
        ScheduleModule.forRoot(),
        MetricsModule.forRoot(config.metrics),
        DatabaseModule,
        MailModule.forRoot(),
        HealthModule,
        UsersModule,
        AuthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
