import type { ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * What every response carries. An API answer is JSON, never a page, so it may load nothing and no
 * page may frame it (OWASP REST Security Cheat Sheet); helmet's set for pages goes only on the
 * pages (Swagger UI). Six headers instead of helmet's twelve on every answer: performance
 * workaround for the `verify` benchmark scenario (README, Performance).
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cross-origin-resource-policy': 'same-origin',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/**
 * helmet's headers for pages, computed once. @fastify/helmet rebuilds helmet (and re-parses the CSP) on
 * every request; with a static configuration the result is a fixed set of headers. Performance
 * workaround for the `verify` benchmark scenario (README, Performance).
 */
export function securityHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number | string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  } as unknown as ServerResponse;
  let done = false;
  helmet(options)({} as never, response, () => {
    done = true;
  });
  if (!done) throw new Error('helmet did not finish synchronously');
  return headers;
}
