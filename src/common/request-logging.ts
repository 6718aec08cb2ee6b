import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';

/**
 * One JSON line per request (pino-http) carrying the request id; credentials never logged.
 */
export function requestLogging(level: string): Params {
  return {
    // A wildcard Nest recognises, so routes excluded from the /api prefix are logged once too.
    forRoutes: [{ path: '*path', method: RequestMethod.ALL }],
    pinoHttp: {
      level,
      genReqId: (request: IncomingMessage) => (request as IncomingMessage & { id: string }).id,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
        censor: '[redacted]',
      },
      serializers: {
        req: (request: { id: string; method: string; url: string }) => ({ id: request.id, method: request.method, url: request.url }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
      customLogLevel: (_request, response, error) =>
        error || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'info',
    },
  };
}
