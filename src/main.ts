import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AppModule } from './app.module.js';
import { createAdapter, NEST_APP_OPTIONS, setupApp } from './app.setup.js';
import { startDraining } from './common/connection-draining.js';
import { EnvValidationError, validateEnv } from './config/env.validation.js';
import { stopEmbeddedPostgres } from './database/embedded-postgres.instance.js';

/** Within the 10 s API.md allows (and Kubernetes' default grace period), with room to close the rest. */
const CUT_OFF_CONNECTIONS_AFTER_MS = 8000;

async function bootstrap(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const config = validateEnv(process.env);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), createAdapter(config.app), {
    ...NEST_APP_OPTIONS,
  });
  await setupApp(app);
  const logger = new Logger('Bootstrap');

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const startedAt = Date.now();
    logger.log(`${signal} received: answering the requests in flight, then shutting down`);
    const fastify = app.getHttpAdapter().getInstance();
    startDraining(fastify);
    // A client that keeps a request open (a slow upload) must not outlast the orchestrator's grace period.
    const cutOff = setTimeout(() => fastify.server.closeAllConnections(), CUT_OFF_CONNECTIONS_AFTER_MS).unref();
    try {
      // Stops accepting and closes idle connections, waits for the busy ones, then closes the
      // pool, the revocation listener and Redis (onApplicationShutdown).
      await app.close();
      await stopEmbeddedPostgres();
    } catch (error) {
      logger.error(`Shutdown failed: ${String(error)}`);
      process.exit(1);
    }
    clearTimeout(cutOff);
    logger.log(`Stopped ${Date.now() - startedAt} ms after ${signal}`);
    process.exit(0);
  };
  // Before "Listening on" can reach anyone: a supervisor may stop the service as soon as it reads it.
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);

  await app.listen({ port: config.app.port, host: config.app.host });
  const base = `http://localhost:${config.app.port}`;
  logger.log(`Listening on ${base}/api/v1${config.app.swaggerEnabled ? `; Swagger UI at ${base}/docs` : ''}`);
  if (config.jwt.ephemeralSecrets) {
    logger.warn('JWT secrets were generated at start: tokens will not survive a restart. Set JWT_ACCESS_SECRET and JWT_REFRESH_SECRET.');
  }
  collectStartupGarbage();
}

/**
 * Start-up (module loading, metadata, migrations) leaves garbage that V8 would only collect under
 * load; one full collection makes the idle footprint the live set (bench's idle RSS, README Performance).
 */
function collectStartupGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

bootstrap().catch((error: unknown) => {
  // A bad configuration names its variables; anything else prints its stack.
  console.error(error instanceof EnvValidationError ? error.message : error);
  void stopEmbeddedPostgres().finally(() => process.exit(1));
});
