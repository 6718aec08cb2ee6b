import type { ModuleMetadata } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';
import { afterAll, beforeAll } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { createAdapter, NEST_APP_OPTIONS, setupApp } from '../../src/app.setup.js';
import { validateEnv } from '../../src/config/env.validation.js';
import type { AllConfig } from '../../src/config/config.types.js';
import { TestDatabase } from './database.js';
import type { TestSmtpServer } from './smtp.js';

export const TEST_SECRETS = {
  JWT_ACCESS_SECRET: 'test-access-secret-0123456789abcdef0123456789',
  JWT_REFRESH_SECRET: 'test-refresh-secret-0123456789abcdef012345678',
};

/** Upper bound for booting (or closing) one app in a jest hook or test. */
export const BOOT_TIMEOUT_MS = 30_000;

export interface TestApp {
  app: NestFastifyApplication;
  /** The underlying Node server, for supertest: `request(t.server)`. */
  server: Server;
  config: AllConfig;
  db: TestDatabase;
  close(): Promise<void>;
}

/**
 * Boots the real application in-process, exactly as main.ts does (AppModule + setupApp), on a
 * fresh database migrated by the shipped migrations. `env` overrides the test defaults; pass `db`
 * to start a second instance on the same database, `imports` for feature modules mounted beside
 * AppModule (what an application built on this service adds).
 *
 * Caveat for several apps in one process: Passport keeps strategies in a process-wide registry,
 * so every app verifies tokens with the strategies (keys, revocation list) of the app created
 * last. Multi-instance suites therefore revoke on an earlier app and check on the newest one,
 * which is a real cross-instance path (the revocation reaches it only through the broadcast).
 */
export async function createTestApp(
  options: { env?: Record<string, string>; db?: TestDatabase; imports?: ModuleMetadata['imports'] } = {},
): Promise<TestApp> {
  const db = options.db ?? (await TestDatabase.create());
  const config = validateEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    THROTTLE_ENABLED: 'false',
    ...TEST_SECRETS,
    DATABASE_URL: db.url,
    // May point DATABASE_URL elsewhere (a pooler in front of `db`).
    ...options.env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config), ...(options.imports ?? [])] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createAdapter(config.app), NEST_APP_OPTIONS);
  await setupApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const ownsDatabase = !options.db;
  return {
    app,
    server: app.getHttpServer() as Server,
    config,
    db,
    close: async () => {
      await app.close();
      if (ownsDatabase) await db.drop();
    },
  };
}

/**
 * One app for the enclosing `describe`: booted in its beforeAll, closed in its afterAll. The
 * returned object stands for that app inside the tests (reading it earlier throws).
 */
export function useTestApp(options: { env?: Record<string, string> } = {}): TestApp {
  return useTestApps(1, options)[0];
}

/**
 * `count` instances on one database for the enclosing `describe` (the first owns it), closed
 * newest first. The newest checks every access token (see the caveat on createTestApp).
 */
export function useTestApps(count: number, options: { env?: Record<string, string> } = {}): TestApp[] {
  const booted: TestApp[] = [];
  // Booting is not what these suites time, and a busy machine can take seconds per app.
  beforeAll(async () => {
    for (let i = 0; i < count; i += 1) booted.push(await createTestApp({ ...options, db: booted[0]?.db }));
  }, BOOT_TIMEOUT_MS * count);
  afterAll(async () => {
    for (const instance of booted.splice(0).reverse()) await instance.close();
  }, BOOT_TIMEOUT_MS * count);
  return Array.from({ length: count }, (_, i) => suiteValue('app', () => booted[i]));
}

/**
 * One app mailing to a real SMTP server in the test process (TestSmtpServer, `SMTP_URL` set to
 * it; `env` overrides the test defaults), for the enclosing `describe`: the server starts in its
 * beforeAll before the app boots and stops in its afterAll after the app closed.
 */
export function useSmtpApp(options: { env?: Record<string, string> } = {}): { t: TestApp; smtp: TestSmtpServer } {
  const { apps, smtp } = useSmtpApps([options.env ?? {}]);
  return { t: apps[0], smtp };
}

/**
 * As useSmtpApp, with one app per entry of `envs` on one database (the first owns it), booted in
 * that order and closed newest first. The newest checks every access token (see createTestApp).
 */
export function useSmtpApps(envs: Record<string, string>[]): { apps: TestApp[]; smtp: TestSmtpServer } {
  const booted: TestApp[] = [];
  let server: TestSmtpServer | undefined;
  beforeAll(async () => {
    // Loaded here rather than at the top: most suites send no mail and need not load the SMTP libraries.
    const { TestSmtpServer } = await import('./smtp.js');
    server = await TestSmtpServer.start();
    for (const env of envs) booted.push(await createTestApp({ env: { SMTP_URL: server.url, ...env }, db: booted[0]?.db }));
  }, BOOT_TIMEOUT_MS * envs.length);
  afterAll(async () => {
    for (const instance of booted.splice(0).reverse()) await instance.close();
    await server?.close();
    server = undefined;
  }, BOOT_TIMEOUT_MS * envs.length);
  return {
    apps: envs.map((_, i) => suiteValue('app', () => booted[i])),
    smtp: suiteValue('SMTP server', () => server),
  };
}

/** Stands for what a hook makes later (the suite's app, its SMTP server): reading it before then throws. */
function suiteValue<T extends object>(what: string, current: () => T | undefined): T {
  return new Proxy({} as T, {
    get(_target, key) {
      const instance = current();
      if (!instance) throw new Error(`the suite ${what} is read before its beforeAll made it`);
      const value: unknown = Reflect.get(instance, key, instance);
      return typeof value === 'function' ? value.bind(instance) : value;
    },
  });
}
