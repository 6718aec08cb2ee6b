import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify's `genReqId`: echo a well-formed `X-Request-Id` from the caller (a gateway's trace id),
 * else generate one. The id is also left on the raw request for the request log lines.
 */
export function requestIdFor(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  const id = typeof header === 'string' && WELL_FORMED.test(header) ? header : randomUUID();
  (request as IncomingMessage & { id?: string }).id = id;
  return id;
}
