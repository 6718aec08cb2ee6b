import { Controller, Get, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../common/auth/public.decorator.js';
import { ApiProblems } from '../common/problem.dto.js';
import { MigrationsHealthIndicator } from './migrations.health.js';

// The 200 bodies as terminus sends them. @HealthCheck's own OpenAPI is not used: it documents
// terminus's 503 body as application/json, while ProblemDetailsFilter answers a problem document.

class IndicatorUpDto {
  @ApiProperty({ enum: ['up'], example: 'up' })
  status!: 'up';
}

class DatabaseIndicatorDto extends IndicatorUpDto {
  @ApiProperty({ example: 7, description: 'Ping round trip in milliseconds.' })
  responseTime!: number;
}

class ReadyIndicatorsDto {
  @ApiProperty({ type: DatabaseIndicatorDto })
  database!: DatabaseIndicatorDto;

  @ApiProperty({ type: IndicatorUpDto, description: 'Every shipped migration is applied.' })
  migrations!: IndicatorUpDto;
}

const NO_INDICATORS = { type: 'object', properties: {}, additionalProperties: false, example: {} } as const;

export class LiveHealthDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';

  @ApiProperty({ ...NO_INDICATORS, description: 'Liveness checks nothing but the process: always empty.' })
  info!: Record<string, never>;

  @ApiProperty({ ...NO_INDICATORS, description: 'Always empty on 200.' })
  error!: Record<string, never>;

  @ApiProperty({ ...NO_INDICATORS, description: 'Always empty.' })
  details!: Record<string, never>;
}

export class ReadyHealthDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';

  @ApiProperty({ type: ReadyIndicatorsDto, description: 'The indicators that are up (on 200: all of them).' })
  info!: ReadyIndicatorsDto;

  @ApiProperty({ ...NO_INDICATORS, description: 'The indicators that are down: always empty on 200.' })
  error!: Record<string, never>;

  @ApiProperty({ type: ReadyIndicatorsDto, description: 'Every indicator.' })
  details!: ReadyIndicatorsDto;
}

const ServiceUnavailable = (description: string) =>
  ApiProblems(503, description, [{ code: 'service_unavailable', title: 'Service unavailable' }]);

@ApiTags('health')
@Public()
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly migrations: MigrationsHealthIndicator,
  ) {}

  @Get('live')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({ summary: 'Liveness: the process is up', description: 'Checks nothing else: restart the process when it fails.' })
  @ApiOkResponse({ type: LiveHealthDto, description: 'The process is up.' })
  @ServiceUnavailable('The process is shutting down (`service_unavailable`).')
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    summary: 'Readiness: database reachable and migrations applied',
    description: 'Send traffic to this instance only while this answers 200.',
  })
  @ApiOkResponse({ type: ReadyHealthDto, description: 'Ready: the database answers and no migration is pending.' })
  @ServiceUnavailable('Not ready: the database does not answer, a migration is pending, or shutting down (`service_unavailable`).')
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 1500 }),
      () => this.migrations.isUpToDate('migrations'),
    ]);
  }
}
