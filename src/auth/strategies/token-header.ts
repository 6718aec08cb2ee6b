/** Header members that would let a token choose its own key, or demand extensions we do not implement. */
const REFUSED_HEADER_MEMBERS = ['jku', 'jwk', 'x5u', 'x5c', 'crit'] as const;

export interface TokenHeader {
  alg?: unknown;
  typ?: unknown;
  kid?: unknown;
  [member: string]: unknown;
}

/** Decodes a compact JWS header without trusting it; undefined when it is not a JSON object. */
export function decodeHeader(token: string): TokenHeader | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8'));
    return header && typeof header === 'object' && !Array.isArray(header) ? (header as TokenHeader) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The checks jsonwebtoken does not do: the explicit `typ` (RFC 8725 §3.11, so an access token is
 * never taken for a refresh token or the reverse), the pinned algorithm, and no key-bearing or
 * critical header members.
 */
export function acceptableHeader(header: TokenHeader | undefined, typ: string, algorithm: string): boolean {
  if (!header || header.typ !== typ || header.alg !== algorithm) return false;
  return !REFUSED_HEADER_MEMBERS.some((member) => member in header);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);
export const isInteger = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value);
