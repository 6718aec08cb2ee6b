import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppModule } from './app.module.js';
import { configureRouting, createAdapter } from './app.setup.js';
import { createOpenApiDocument } from './common/openapi-document.js';
import { EnvValidationError, validateEnv } from './config/env.validation.js';

/**
 * The OpenAPI document GET /docs-json serves, built without a database or a port: Nest's preview
 * mode scans modules and controllers but calls no provider factory (no connection, no migration).
 */
export async function buildOpenApiDocument(env: Record<string, unknown> = {}): Promise<OpenAPIObject> {
  const config = validateEnv({ ...env, SWAGGER_ENABLED: 'true' });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), createAdapter(config.app), {
    preview: true,
    logger: false,
  });
  try {
    configureRouting(app);
    return createOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

/** `node dist/openapi.js [file]`: writes the document (default dist/openapi.json) for `npm run lint:openapi`. */
async function main(): Promise<void> {
  const file = process.argv[2] ?? 'dist/openapi.json';
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(await buildOpenApiDocument(), null, 2)}\n`);
  console.warn(`OpenAPI document written to ${file}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error instanceof EnvValidationError ? error.message : error);
    process.exitCode = 1;
  });
}
