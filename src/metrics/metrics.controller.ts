import { Controller, Get, Header, Inject, UseGuards, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { Public } from '../common/auth/public.decorator.js';
import { MetricsTokenGuard } from './metrics-token.guard.js';

/**
 * Prometheus scrape endpoint, outside /api/v1 and the API documentation. Not an access-token
 * route: METRICS_TOKEN, when set, is checked by its own guard.
 */
@ApiExcludeController()
@Public()
@UseGuards(MetricsTokenGuard)
@Controller({ path: 'metrics', version: VERSION_NEUTRAL })
export class MetricsController {
  constructor(@Inject(Registry) private readonly registry: Registry) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
