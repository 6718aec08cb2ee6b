import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EnvValidationError, validateEnv } from '../src/config/env.validation.js';
import { claimsOf, headerOf, refreshWith, registerUser } from './factories/auth.factory.js';
import { compactJws, es256 } from './factories/jwt.factory.js';
import { asymmetricEnv, expectTokenInvalid, jwksOf, keyPair, me, thumbprint, verifiesWithJwk } from './factories/keys.factory.js';
import { createTestApp, TEST_SECRETS, type TestApp } from './setup/create-test-app.js';
import type { TestDatabase } from './setup/database.js';
import { waitFor } from './setup/wait.js';

describe('asymmetric access-token keys', () => {
  /*
   * @nestjs/passport registers every strategy on the process-wide `passport` singleton by name, so
   * when several apps live in one jest process, the access token is checked by the 'jwt' strategy
   * of the app built LAST, whichever app receives the request. Each verifying instance below is
   * therefore built just before it is asked, and asserts both what it accepts and what it refuses.
   * (Minting is unaffected: registration is public and TokensService belongs to its own app.)
   */
  describe('rotation (instances on one database)', () => {
    const keyA = keyPair('P-256');
    const keyB = keyPair('P-256');
    const kidA = thumbprint(keyA.publicJwk);
    const kidB = thumbprint(keyB.publicJwk);
    let first: TestApp;

    /** Boots another instance on the first one's database, runs `work` against it, and closes it. */
    const withInstance = async <T>(env: Record<string, string>, work: (t: TestApp) => Promise<T>): Promise<T> => {
      const t = await createTestApp({ env, db: first.db });
      try {
        return await work(t);
      } finally {
        await t.close();
      }
    };

    beforeAll(async () => {
      first = await createTestApp({ env: asymmetricEnv('ES256', keyA.privatePem) });
    });

    afterAll(async () => {
      await first?.close();
    });

    it('instance 1 signs with key A and publishes only A', async () => {
      const user = await registerUser(first);

      expect(headerOf(user.accessToken)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: kidA });
      expect((await jwksOf(first)).map((jwk) => jwk.kid)).toEqual([kidA]);
    });

    it('instance 2 with JWT_PRIVATE_KEYS=B;A signs with B, publishes B and A, and still accepts A tokens from instance 1', async () => {
      const fromA = await registerUser(first);

      await withInstance(asymmetricEnv('ES256', keyB.privatePem, keyA.privatePem), async (second) => {
        const fromB = await registerUser(second);
        const jwks = await jwksOf(second);

        expect(jwks.map((jwk) => jwk.kid)).toEqual([kidB, kidA]);
        for (const jwk of jwks) expect(jwk).not.toHaveProperty('d');
        expect(headerOf(fromB.accessToken)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: kidB });
        expect(verifiesWithJwk(fromB.accessToken, jwks[0])).toBe(true);
        expect(verifiesWithJwk(fromB.accessToken, jwks[1])).toBe(false);
        await me(second, fromB.accessToken).expect(200);
        const response = await me(second, fromA.accessToken).expect(200);
        expect(response.body.id).toBe(fromA.user.id);
        // A key it has never been given is still refused.
        const stranger = keyPair('P-256');
        const forged = compactJws(
          { ...headerOf(fromA.accessToken), kid: thumbprint(stranger.publicJwk) },
          claimsOf(fromA.accessToken),
          es256(stranger.privateKey),
        );
        expectTokenInvalid(await me(second, forged));
      });
    });

    it('instance 2 honours a refresh token issued by instance 1 and answers with a B-signed access token', async () => {
      const fromA = await registerUser(first);

      await withInstance(asymmetricEnv('ES256', keyB.privatePem, keyA.privatePem), async (second) => {
        const refreshed = await refreshWith(second, fromA.refreshToken).expect(200);

        expect(headerOf(refreshed.body.accessToken)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: kidB });
        const response = await me(second, refreshed.body.accessToken).expect(200);
        expect(response.body.id).toBe(fromA.user.id);
      });
    });

    it('an instance configured with only B refuses the token minted with A', async () => {
      const fromA = await registerUser(first);

      await withInstance(asymmetricEnv('ES256', keyB.privatePem), async (onlyB) => {
        const fromB = await registerUser(onlyB);

        expect((await jwksOf(onlyB)).map((jwk) => jwk.kid)).toEqual([kidB]);
        expectTokenInvalid(await me(onlyB, fromA.accessToken));
        await me(onlyB, fromB.accessToken).expect(200);
      });
    });

    it('JWT_PUBLIC_KEYS (a JWK) lets an instance still signing with A accept B tokens; without it A alone refuses them', async () => {
      const fromB = await withInstance(asymmetricEnv('ES256', keyB.privatePem, keyA.privatePem), (second) => registerUser(second));
      const publicB = { ...asymmetricEnv('ES256', keyA.privatePem), JWT_PUBLIC_KEYS: JSON.stringify(keyB.publicJwk) };

      await withInstance(publicB, async (t) => {
        const signedHere = await registerUser(t);

        expect((await jwksOf(t)).map((jwk) => jwk.kid)).toEqual([kidA, kidB]);
        expect(headerOf(signedHere.accessToken).kid).toBe(kidA);
        await me(t, fromB.accessToken).expect(200);
        await me(t, signedHere.accessToken).expect(200);
      });
      await withInstance(asymmetricEnv('ES256', keyA.privatePem), async (onlyA) => {
        expectTokenInvalid(await me(onlyA, fromB.accessToken));
      });
    });
  });

  describe('start-up refusals', () => {
    /** Refused boots share this migrated database (no migration races); it is dropped with it. */
    let host: TestApp;

    beforeAll(async () => {
      host = await createTestApp();
    });

    afterAll(async () => {
      await host?.close();
    });

    const backends = (db: TestDatabase) =>
      db.query<{ pid: number; state: string; query: string }>(
        `SELECT pid, state, query FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'auth-service' AND pid <> pg_backend_pid()`,
      );

    /**
     * Boots an app that should refuse to start and resolves to its error (undefined, after closing
     * it, if it started). A refused boot does not stop the TypeORM DataSource that was already
     * connecting: wait until it has finished (new connection idle after reading the migrations
     * table), so it never races the next boot or the final DROP DATABASE.
     */
    const refusedBoot = async (env: Record<string, string>): Promise<Error | undefined> => {
      const known = new Set((await backends(host.db)).map((row) => row.pid));
      let failure: Error | undefined;
      try {
        const started = await createTestApp({ env, db: host.db });
        await started.close();
        return undefined;
      } catch (error) {
        failure = error as Error;
      }
      // Refused by validateEnv: nothing was started.
      if (failure instanceof EnvValidationError) return failure;
      await waitFor(async () => {
        const fresh = (await backends(host.db)).filter((row) => !known.has(row.pid));
        return fresh.length > 0 && fresh.every((row) => row.state === 'idle' && row.query.includes('"migrations"'));
      }, 10_000);
      return failure;
    };

    it.each(['ES256', 'RS256'])('JWT_ALGORITHM=%s without JWT_PRIVATE_KEY fails validation naming JWT_PRIVATE_KEY', async (algorithm) => {
      const attempt = () => validateEnv({ NODE_ENV: 'test', JWT_ALGORITHM: algorithm, ...TEST_SECRETS });

      expect(attempt).toThrow(EnvValidationError);
      expect(attempt).toThrow(`JWT_PRIVATE_KEY is required with JWT_ALGORITHM=${algorithm}`);
      // Validation runs before anything connects, so this refusal leaves nothing behind.
      await expect(createTestApp({ env: { JWT_ALGORITHM: algorithm }, db: host.db })).rejects.toThrow(/JWT_PRIVATE_KEY/);
    });

    it('JWT_ALGORITHM=EdDSA is refused at validation (jsonwebtoken lacks it)', () => {
      const attempt = () =>
        validateEnv({ NODE_ENV: 'test', JWT_ALGORITHM: 'EdDSA', JWT_PRIVATE_KEY: keyPair('P-256').privatePem, ...TEST_SECRETS });

      expect(attempt).toThrow(EnvValidationError);
      expect(attempt).toThrow(/JWT_ALGORITHM=EdDSA is not supported/);
    });

    it.each([
      ['an RSA key with ES256', 'ES256', 'RSA-2048', /JWT key type rsa does not match JWT_ALGORITHM=ES256/],
      ['an EC key with RS256', 'RS256', 'P-256', /JWT key type ec does not match JWT_ALGORITHM=RS256/],
      ['a P-384 EC key with ES256 (P-256 only)', 'ES256', 'P-384', /curve secp384r1 does not match JWT_ALGORITHM=ES256/],
      ['a 1024-bit RSA key with RS256', 'RS256', 'RSA-1024', /1024 bits is too short for JWT_ALGORITHM=RS256/],
    ] as const)('refuses to start with %s as JWT_PRIVATE_KEY', async (_case, algorithm, type, message) => {
      const failure = await refusedBoot({ JWT_ALGORITHM: algorithm, JWT_PRIVATE_KEY: keyPair(type).privatePem });

      expect(failure?.message).toMatch(message);
    });

    it.each([
      ['an RSA JWK', () => JSON.stringify(keyPair('RSA-2048').publicJwk), /JWT key type rsa does not match JWT_ALGORITHM=ES256/],
      ['a P-384 PEM', () => keyPair('P-384').publicKey.export({ type: 'spki', format: 'pem' }) as string, /curve secp384r1/],
    ])('refuses to start with %s among the ES256 JWT_PUBLIC_KEYS', async (_case, publicKey, message) => {
      const failure = await refusedBoot({
        JWT_ALGORITHM: 'ES256',
        JWT_PRIVATE_KEY: keyPair('P-256').privatePem,
        JWT_PUBLIC_KEYS: publicKey(),
      });

      expect(failure?.message).toMatch(message);
    });
  });
});
