import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import { RequestMethod, VersioningType, type INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { connectionDraining } from './common/connection-draining.js';
import { appendRouteHook } from './common/route-hooks.js';
import { createLogger, logRequests, PinoNestLogger } from './common/logger.js';
import { createOpenApiDocument } from './common/openapi-document.js';
import { requestIdFor } from './common/request-id.js';
import { API_SECURITY_HEADERS, securityHeaders } from './common/security-headers.js';
import type { AllConfig, AppConfig } from './config/config.types.js';
import { HttpMetrics } from './metrics/http-metrics.js';

/**
 * Nest must not install its own body parsers (setupApp() installs the JSON-only one), and holds
 * its start-up logs until setupApp() gives it the pino logger.
 */
export const NEST_APP_OPTIONS = { bodyParser: false, bufferLogs: true } as const;

/** The Fastify adapter: body limit, request ids, proxy trust. Shared by main.ts and the e2e suite. */
export function createAdapter(app: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: app.bodyLimitBytes,
    genReqId: requestIdFor,
    trustProxy: app.trustProxy,
  });
}

/**
 * Everything between creating the application and listening: routing, body parsing, security
 * headers, cookies, CORS, Swagger. main.ts and the e2e suite both call this, so tests exercise
 * exactly what production serves.
 */
export async function setupApp(app: NestFastifyApplication): Promise<void> {
  const config = app.get<ConfigService<AllConfig, true>>(ConfigService);
  const settings = config.get('app', { infer: true });
  const logger = createLogger(settings.logLevel);
  app.useLogger(new PinoNestLogger(logger));
  app.flushLogs();

  configureRouting(app);

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(API_SECURITY_HEADERS).header('x-request-id', request.id);
    done();
  });
  const pageHeaders = securityHeaders({
    contentSecurityPolicy: {
      // helmet's defaults, fitted to Swagger UI, the only HTML served: scripts stay 'self' only
      // (nothing inline); styles may be inline (its HTML template and components set them);
      // images are 'self' or data: (the icons in its CSS); fonts 'self' (it loads none).
      directives: {
        'font-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'style-src': ["'self'", "'unsafe-inline'"],
        // Would send the page's scripts and styles to https:// whenever the service is reached
        // over plain http on any host but localhost, leaving a blank page. Every resource is
        // same-origin, and behind TLS Strict-Transport-Security already keeps requests on https.
        'upgrade-insecure-requests': null,
      },
    },
  });
  // Before Swagger's routes exist (below): the page and its assets get helmet's headers for pages.
  fastify.addHook('onRoute', (route) => {
    if (route.url === '/docs' || route.url.startsWith('/docs/')) {
      appendRouteHook(route, 'onRequest', (_request, reply, done) => {
        void reply.headers(pageHeaders);
        done();
      });
    }
  });
  // A response to a credentialed request (bearer or the refresh cookie, the only cookie this
  // service sets) is personal: no shared or browser cache may keep it, errors included. Set on
  // send, so a route's own Cache-Control cannot win over it. While the service drains (SIGTERM),
  // every response also closes its connection (connectionDraining).
  const draining = connectionDraining(fastify);
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (request.headers.authorization !== undefined || request.headers.cookie !== undefined) {
      void reply.header('cache-control', 'no-store');
    }
    if (draining.active) void reply.header('connection', 'close');
    done(null, payload);
  });
  logRequests(fastify, logger);
  // Before any route exists (Swagger's below, the controllers' at init): each route gets its hook.
  if (config.get('metrics.enabled', { infer: true })) app.get(HttpMetrics).instrument(fastify);
  // JSON only (415 otherwise); an empty JSON body counts as no body, so a cookie-only refresh
  // needs no dummy `{}`.
  fastify.removeAllContentTypeParsers();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else parseJson(request, body as string, done);
  });

  // Cookies are parsed only where the refresh token is read (RefreshTokenTransport), not on
  // every request; setting them still works everywhere.
  await app.register(fastifyCookie, { hook: false });
  // Without CORS_ORIGINS, browsers on other origins get no CORS headers at all.
  if (settings.corsOrigins.length > 0) {
    await app.register(fastifyCors, {
      origin: settings.corsOrigins,
      // The refresh cookie rides along only on credentialed requests.
      credentials: true,
      // Every method the API uses and every header it reads; a preflight names exactly these.
      methods: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
      exposedHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    });
  }

  if (settings.swaggerEnabled) {
    SwaggerModule.setup('docs', app, createOpenApiDocument(app), {
      jsonDocumentUrl: 'docs-json',
      // Never the validator badge: an image from validator.swagger.io, which img-src refuses.
      swaggerOptions: { persistAuthorization: true, validatorUrl: null },
    });
  }
}

/** Global prefix and URI versioning: what the routes' paths, and so the OpenAPI paths, are. */
export function configureRouting(app: INestApplication): void {
  app.setGlobalPrefix('api', {
    exclude: [
      { path: 'health/*path', method: RequestMethod.ALL },
      { path: '.well-known/*path', method: RequestMethod.ALL },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  app.enableVersioning({ type: VersioningType.URI });
}
