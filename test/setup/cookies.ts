import { expect } from '@jest/globals';
import type { Response } from 'supertest';

export interface SetCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased; flag attributes map to `true`. */
  attributes: Map<string, string | true>;
}

/** The response's Set-Cookie lines, parsed (values URL-decoded). */
export function setCookies(response: Response): SetCookie[] {
  const raw = response.headers['set-cookie'] as unknown as string[] | string | undefined;
  const lines = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return lines.map((line) => {
    const [pair, ...rest] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const attributes = new Map<string, string | true>();
    for (const attribute of rest) {
      const at = attribute.indexOf('=');
      if (at === -1) attributes.set(attribute.toLowerCase(), true);
      else attributes.set(attribute.slice(0, at).toLowerCase(), attribute.slice(at + 1));
    }
    return { name: pair.slice(0, eq), value: decodeURIComponent(pair.slice(eq + 1)), attributes };
  });
}

export const refreshCookieOf = (response: Response) => setCookies(response).find((cookie) => cookie.name === 'refresh_token');

/** The refresh cookie is sent empty and already expired, on the path it was set on. */
export function expectClearedCookie(response: Response): void {
  const cookie = refreshCookieOf(response);
  expect(cookie).toBeDefined();
  expect(cookie!.value).toBe('');
  const maxAge = cookie!.attributes.get('max-age');
  const expires = cookie!.attributes.get('expires');
  const cleared = maxAge === '0' || (typeof expires === 'string' && new Date(expires).getTime() <= Date.now());
  expect({ maxAge, expires, cleared }).toMatchObject({ cleared: true });
  expect(cookie!.attributes.get('path')).toBe('/api/v1/auth');
}
