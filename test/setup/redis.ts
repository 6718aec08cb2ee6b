import { describe, it } from '@jest/globals';
import { createConnection } from 'node:net';

/** The Redis the Redis-backed suites use. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether a Redis server answers PING at `url` within half a second (no auth, no TLS). */
export function redisAnswers(url: string = TEST_REDIS_URL): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    const settle = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(500, () => settle(false));
    socket.once('error', () => settle(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => settle(data.toString().startsWith('+PONG')));
  });
}

/**
 * `describe` for a suite that needs Redis. Without one it fails in CI (a skip there would hide a
 * broken feature: `.ci/run` provides a Redis) and skips, saying why, everywhere else.
 */
export async function describeWithRedis(name: string, body: () => void): Promise<void> {
  if (await redisAnswers()) {
    describe(name, body);
    return;
  }
  const reason = `no Redis answers at ${TEST_REDIS_URL} (set TEST_REDIS_URL to point at one)`;
  if (process.env.CI) {
    describe(name, () => {
      it('has a Redis to run against', () => {
        throw new Error(`${reason}; CI must provide one`);
      });
    });
    return;
  }
  console.warn(`Skipping "${name}": ${reason}.`);
  describe.skip(name, body);
}
