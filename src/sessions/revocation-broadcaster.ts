export interface RevocationSubscriber {
  /** Session ids another instance (or this one) revoked. */
  onRevoked(sessionIds: string[]): void;
  /** Called after every (re)connection: messages may have been lost, resynchronise. */
  onConnected(): Promise<void>;
}

/**
 * Carries "these sessions were revoked" to every running instance. Messages can be lost (a
 * reconnect, a crash between commit and publish), so subscribers resynchronise from the sessions
 * table on each connection. Implementations: PostgreSQL LISTEN/NOTIFY (default) and Redis pub/sub
 * (REDIS_URL); provide your own by binding this class to another implementation.
 */
export abstract class RevocationBroadcaster {
  abstract publish(sessionIds: string[]): Promise<void>;
  abstract subscribe(subscriber: RevocationSubscriber): Promise<void>;
  abstract close(): Promise<void>;
}

export const REVOCATION_CHANNEL = 'auth_session_revoked';

/** Splits ids into comma-separated payloads below PostgreSQL's 8000-byte NOTIFY limit. */
export function toPayloads(sessionIds: string[], perPayload = 200): string[] {
  const payloads: string[] = [];
  for (let i = 0; i < sessionIds.length; i += perPayload) {
    payloads.push(sessionIds.slice(i, i + perPayload).join(','));
  }
  return payloads;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function fromPayload(payload: string | undefined): string[] {
  return (payload ?? '').split(',').filter((id) => UUID.test(id));
}
