import { Global, Module, type DynamicModule } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { MetricsConfig } from '../config/config.types.js';
import { AuthMetrics } from './auth-metrics.js';
import { HttpMetrics } from './http-metrics.js';
import { MailMetricsListener } from './mail-metrics.listener.js';
import { MetricsController } from './metrics.controller.js';
import { MetricsTokenGuard } from './metrics-token.guard.js';

/**
 * Prometheus metrics on a registry of this application (not prom-client's global one, so
 * several applications in one process keep separate counts). Global: any feature module may
 * report through AuthMetrics without importing this one. With METRICS_ENABLED=false there is
 * no /metrics route (404) and setupApp installs no request hook; the counters still count, unread.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(settings: MetricsConfig): DynamicModule {
    return {
      module: MetricsModule,
      controllers: settings.enabled ? [MetricsController] : [],
      providers: [
        {
          provide: Registry,
          useFactory: () => {
            const registry = new Registry();
            if (settings.enabled) collectDefaultMetrics({ register: registry });
            return registry;
          },
        },
        HttpMetrics,
        AuthMetrics,
        MailMetricsListener,
        MetricsTokenGuard,
      ],
      exports: [AuthMetrics, HttpMetrics],
    };
  }
}
