// The benchmark "floor": the same four hot operations as the service, on the
// same paths, written without a framework (node:http + pg + @node-rs/argon2 +
// hand-written HS256 JWTs). It is the lower bound a careful framework-free
// implementation reaches, not a strawman: prepared statements, a pool, one SQL
// statement per refresh (compare-and-swap on the session generation), real
// claim checks on every token.
//
// Run as a server:  PORT=... DATABASE_URL=... JWT_ACCESS_SECRET=... \
//                   JWT_REFRESH_SECRET=... node bench/floor.mjs
// Imported by run.mjs for `ensureSchema` and `seedUsers`.

import http from 'node:http';
import crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { hash as argonHash, verify as argonVerify } from '@node-rs/argon2';

export const ARGON2_OPTIONS = Object.freeze({
  algorithm: 2, // Argon2id (a const enum in the typings, absent at run time)
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
});

const ISSUER = 'auth-service';
const AUDIENCE = 'api';
const ACCESS_TTL_S = 900;
const REFRESH_TTL_S = 7 * 24 * 3600;
const SESSION_MAX_AGE_S = 30 * 24 * 3600;
const CLOCK_TOLERANCE_S = 5;
const BODY_LIMIT = 16 * 1024;

// ---------------------------------------------------------------- schema/seed

export async function ensureSchema(pool) {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email text NOT NULL UNIQUE,
      name text,
      password_hash text NOT NULL,
      roles text[] NOT NULL DEFAULT '{user}',
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
  await pool.query(`
    CREATE TABLE IF NOT EXISTS sessions (
      id uuid PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      generation integer NOT NULL DEFAULT 0,
      refresh_hash bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      absolute_expires_at timestamptz NOT NULL,
      revoked_at timestamptz,
      user_agent text,
      ip text
    )`);
  await pool.query('CREATE INDEX IF NOT EXISTS sessions_user_id_idx ON sessions (user_id)');
}

/** Inserts users with real argon2id hashes (one salt each). */
export async function seedUsers(pool, users, password) {
  for (const u of users) {
    const passwordHash = await argonHash(password, ARGON2_OPTIONS);
    await pool.query(
      'INSERT INTO users (email, name, password_hash) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING',
      [u.email.trim().toLowerCase(), u.name ?? null, passwordHash],
    );
  }
}

// ------------------------------------------------------------------------ JWT

function b64url(buf) {
  return buf.toString('base64url');
}

export function createJwt(accessSecret, refreshSecret) {
  const keys = {
    'at+jwt': { key: crypto.createSecretKey(Buffer.from(accessSecret, 'utf8')), kid: 'floor-at' },
    'rt+jwt': { key: crypto.createSecretKey(Buffer.from(refreshSecret, 'utf8')), kid: 'floor-rt' },
  };
  const headers = {};
  for (const typ of Object.keys(keys)) {
    headers[typ] = b64url(Buffer.from(JSON.stringify({ alg: 'HS256', typ, kid: keys[typ].kid })));
  }

  function sign(typ, claims) {
    const input = headers[typ] + '.' + b64url(Buffer.from(JSON.stringify(claims)));
    const sig = crypto.createHmac('sha256', keys[typ].key).update(input).digest();
    return input + '.' + b64url(sig);
  }

  /** Returns the claims, or null for anything not a valid, current token of that type. */
  function verify(typ, token, required) {
    if (typeof token !== 'string' || token.length > 4096) return null;
    const dot1 = token.indexOf('.');
    const dot2 = token.indexOf('.', dot1 + 1);
    if (dot1 <= 0 || dot2 <= dot1 + 1 || token.indexOf('.', dot2 + 1) !== -1) return null;
    let header;
    let claims;
    try {
      header = JSON.parse(Buffer.from(token.slice(0, dot1), 'base64url').toString('utf8'));
      if (header === null || header.alg !== 'HS256' || header.typ !== typ || header.kid !== keys[typ].kid) {
        return null;
      }
      if ('crit' in header || 'jwk' in header || 'jku' in header || 'x5u' in header) return null;
      const expected = crypto.createHmac('sha256', keys[typ].key).update(token.slice(0, dot2)).digest();
      const given = Buffer.from(token.slice(dot2 + 1), 'base64url');
      if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
      claims = JSON.parse(Buffer.from(token.slice(dot1 + 1, dot2), 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (claims === null || typeof claims !== 'object') return null;
    for (const name of required) if (claims[name] === undefined) return null;
    const now = Math.floor(Date.now() / 1000);
    if (claims.iss !== ISSUER || claims.aud !== AUDIENCE) return null;
    if (!Number.isInteger(claims.exp) || claims.exp + CLOCK_TOLERANCE_S <= now) return null;
    if (!Number.isInteger(claims.iat) || claims.iat - CLOCK_TOLERANCE_S > now) return null;
    if (typeof claims.sub !== 'string' || typeof claims.sid !== 'string') return null;
    return claims;
  }

  return { sign, verify };
}

const ACCESS_CLAIMS = ['iss', 'aud', 'sub', 'sid', 'jti', 'iat', 'exp', 'roles'];
const REFRESH_CLAIMS = ['iss', 'aud', 'sub', 'sid', 'jti', 'iat', 'exp', 'gen'];

// --------------------------------------------------------------------- server

const Q_USER_BY_EMAIL = {
  name: 'floor_user_by_email',
  text: 'SELECT id, password_hash, roles FROM users WHERE email = $1',
};
const Q_INSERT_SESSION = {
  name: 'floor_insert_session',
  text: `INSERT INTO sessions (id, user_id, refresh_hash, expires_at, absolute_expires_at, user_agent, ip)
         VALUES ($1, $2, $3, to_timestamp($4), to_timestamp($5), $6, $7)`,
};
// The whole rotation is this one statement: it succeeds only when the presented
// generation is still the current one of a live session.
const Q_ROTATE = {
  name: 'floor_rotate',
  text: `UPDATE sessions s
            SET generation = s.generation + 1,
                refresh_hash = $3,
                last_used_at = now(),
                expires_at = LEAST(now() + make_interval(secs => $4), s.absolute_expires_at)
           FROM users u
          WHERE s.id = $1 AND s.generation = $2 AND s.user_id = u.id
            AND s.revoked_at IS NULL AND s.expires_at > now()
      RETURNING u.id AS user_id, u.roles, s.generation, extract(epoch FROM s.expires_at)::bigint AS exp`,
};
const Q_USER_BY_ID = {
  name: 'floor_user_by_id',
  text: 'SELECT id, email, name, roles, created_at FROM users WHERE id = $1',
};

const PROBLEM_TITLES = {
  400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 405: 'Method Not Allowed',
  413: 'Payload Too Large', 415: 'Unsupported Media Type', 500: 'Internal Server Error',
};

class HttpError extends Error {
  constructor(status, code) {
    super(code);
    this.status = status;
    this.code = code;
  }
}

export function createFloorServer({ pool, accessSecret, refreshSecret }) {
  const jwt = createJwt(accessSecret, refreshSecret);

  function issueTokens(userId, sid, roles, gen, refreshExp) {
    const now = Math.floor(Date.now() / 1000);
    const accessToken = jwt.sign('at+jwt', {
      iss: ISSUER, aud: AUDIENCE, sub: userId, sid, jti: crypto.randomUUID(),
      iat: now, exp: now + ACCESS_TTL_S, roles,
    });
    const refreshJti = crypto.randomUUID();
    const refreshToken = jwt.sign('rt+jwt', {
      iss: ISSUER, aud: AUDIENCE, sub: userId, sid, jti: refreshJti, iat: now, exp: refreshExp, gen,
    });
    return {
      body: {
        accessToken, refreshToken, tokenType: 'Bearer',
        expiresIn: ACCESS_TTL_S, refreshExpiresIn: Math.max(0, refreshExp - now),
      },
      refreshHash: crypto.createHash('sha256').update(refreshJti).digest(),
    };
  }

  function bearer(req) {
    const h = req.headers.authorization;
    if (typeof h !== 'string' || !h.startsWith('Bearer ')) throw new HttpError(401, 'token_missing');
    const claims = jwt.verify('at+jwt', h.slice(7).trim(), ACCESS_CLAIMS);
    if (!claims || !Array.isArray(claims.roles)) throw new HttpError(401, 'token_invalid');
    return claims;
  }

  function readJson(req, allowed) {
    return new Promise((resolve, reject) => {
      const ct = req.headers['content-type'];
      if (typeof ct !== 'string' || !/^application\/json\s*(;|$)/i.test(ct)) {
        req.resume();
        reject(new HttpError(415, 'unsupported_media_type'));
        return;
      }
      const chunks = [];
      let size = 0;
      req.on('data', (c) => {
        size += c.length;
        if (size > BODY_LIMIT) {
          req.removeAllListeners('data');
          req.resume();
          reject(new HttpError(413, 'payload_too_large'));
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => {
        if (size > BODY_LIMIT) return;
        let body;
        try {
          body = JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
        } catch {
          reject(new HttpError(400, 'validation_failed'));
          return;
        }
        if (body === null || typeof body !== 'object' || Array.isArray(body)) {
          reject(new HttpError(400, 'validation_failed'));
          return;
        }
        for (const k of Object.keys(body)) {
          if (!allowed.includes(k) || typeof body[k] !== 'string') {
            reject(new HttpError(400, 'validation_failed'));
            return;
          }
        }
        resolve(body);
      });
      req.on('error', reject);
    });
  }

  async function login(req) {
    const body = await readJson(req, ['email', 'password']);
    const email = (body.email ?? '').trim().toLowerCase();
    const password = body.password ?? '';
    if (!email || email.length > 254 || password.length < 8 || password.length > 128) {
      throw new HttpError(400, 'validation_failed');
    }
    const { rows } = await pool.query({ ...Q_USER_BY_EMAIL, values: [email] });
    const user = rows[0];
    // Unknown email: still pay for one verify so both paths take the same time.
    const ok = await argonVerify(user ? user.password_hash : DUMMY_HASH, password);
    if (!user || !ok) throw new HttpError(401, 'invalid_credentials');
    const sid = crypto.randomUUID();
    const now = Math.floor(Date.now() / 1000);
    const absExp = now + SESSION_MAX_AGE_S;
    const refreshExp = Math.min(now + REFRESH_TTL_S, absExp);
    const t = issueTokens(user.id, sid, user.roles, 0, refreshExp);
    await pool.query({
      ...Q_INSERT_SESSION,
      values: [sid, user.id, t.refreshHash, refreshExp, absExp,
        req.headers['user-agent'] ?? null, req.socket.remoteAddress ?? null],
    });
    return t.body;
  }

  async function refresh(req) {
    const body = await readJson(req, ['refreshToken']);
    if (!body.refreshToken) throw new HttpError(401, 'token_missing');
    const claims = jwt.verify('rt+jwt', body.refreshToken, REFRESH_CLAIMS);
    if (!claims || !Number.isInteger(claims.gen)) throw new HttpError(401, 'token_invalid');
    // The row stores a hash of the current refresh token's jti (a random
    // per-generation value): the new token's exp depends on the row's absolute
    // expiry, so it can only be signed after the CAS returns.
    const now = Math.floor(Date.now() / 1000);
    const nextJti = crypto.randomUUID();
    const { rows } = await pool.query({
      ...Q_ROTATE,
      values: [claims.sid, claims.gen, crypto.createHash('sha256').update(nextJti).digest(), REFRESH_TTL_S],
    });
    const row = rows[0];
    if (!row) throw new HttpError(401, 'session_revoked');
    const accessToken = jwt.sign('at+jwt', {
      iss: ISSUER, aud: AUDIENCE, sub: row.user_id, sid: claims.sid, jti: crypto.randomUUID(),
      iat: now, exp: now + ACCESS_TTL_S, roles: row.roles,
    });
    const exp = Number(row.exp);
    const refreshToken = jwt.sign('rt+jwt', {
      iss: ISSUER, aud: AUDIENCE, sub: row.user_id, sid: claims.sid, jti: nextJti,
      iat: now, exp, gen: row.generation,
    });
    return {
      accessToken, refreshToken, tokenType: 'Bearer',
      expiresIn: ACCESS_TTL_S, refreshExpiresIn: Math.max(0, exp - now),
    };
  }

  function tokenInfo(req) {
    const c = bearer(req);
    return { sub: c.sub, sid: c.sid, roles: c.roles, iat: c.iat, exp: c.exp };
  }

  async function me(req) {
    const c = bearer(req);
    const { rows } = await pool.query({ ...Q_USER_BY_ID, values: [c.sub] });
    const u = rows[0];
    if (!u) throw new HttpError(404, 'not_found');
    return { id: u.id, email: u.email, name: u.name, roles: u.roles, createdAt: u.created_at.toISOString() };
  }

  async function ready() {
    await pool.query('SELECT 1');
    return { status: 'ok' };
  }

  const routes = {
    'POST /api/v1/auth/login': { fn: login, noStore: true },
    'POST /api/v1/auth/refresh': { fn: refresh, noStore: true },
    'GET /api/v1/auth/token-info': { fn: tokenInfo },
    'GET /api/v1/users/me': { fn: me },
    'GET /health/ready': { fn: ready },
    'GET /health/live': { fn: () => ({ status: 'ok' }) },
  };

  function send(res, status, body, contentType, noStore) {
    const payload = JSON.stringify(body);
    const headers = {
      'content-type': contentType,
      'content-length': Buffer.byteLength(payload),
    };
    if (noStore) headers['cache-control'] = 'no-store';
    res.writeHead(status, headers);
    res.end(payload);
  }

  const server = http.createServer((req, res) => {
    const rid = req.headers['x-request-id'];
    res.setHeader('x-request-id', typeof rid === 'string' && /^[\w-]{1,128}$/.test(rid) ? rid : crypto.randomUUID());
    const q = req.url.indexOf('?');
    const route = routes[req.method + ' ' + (q === -1 ? req.url : req.url.slice(0, q))];
    if (!route) {
      req.resume();
      send(res, 404, problem(404, 'not_found', req.url), 'application/problem+json');
      return;
    }
    Promise.resolve()
      .then(() => route.fn(req))
      .then(
        (body) => send(res, 200, body, 'application/json; charset=utf-8', route.noStore),
        (err) => {
          const status = err instanceof HttpError ? err.status : 500;
          const code = err instanceof HttpError ? err.code : 'internal_error';
          if (status === 500) process.stderr.write(`floor: ${err?.stack ?? err}\n`);
          if (status === 401) {
            res.setHeader('www-authenticate', code === 'token_missing' ? 'Bearer' : 'Bearer error="invalid_token"');
          }
          send(res, status, problem(status, code, req.url), 'application/problem+json');
        },
      );
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

function problem(status, code, instance) {
  return { type: 'about:blank', title: PROBLEM_TITLES[status] ?? 'Error', status, instance, code };
}

// A fixed, valid argon2id hash with the same cost, computed at start-up.
let DUMMY_HASH = '';

// ----------------------------------------------------------------------- main

async function main() {
  const { PORT, DATABASE_URL, JWT_ACCESS_SECRET, JWT_REFRESH_SECRET } = process.env;
  if (!DATABASE_URL || !JWT_ACCESS_SECRET || !JWT_REFRESH_SECRET) {
    throw new Error('floor: DATABASE_URL, JWT_ACCESS_SECRET and JWT_REFRESH_SECRET are required');
  }
  if (JWT_ACCESS_SECRET === JWT_REFRESH_SECRET) throw new Error('floor: the two secrets must differ');
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: Number(process.env.PG_POOL_MAX ?? 10) });
  pool.on('error', (err) => process.stderr.write(`floor: idle client error: ${err.message}\n`));
  await ensureSchema(pool);
  DUMMY_HASH = await argonHash(crypto.randomBytes(16).toString('hex'), ARGON2_OPTIONS);
  const server = createFloorServer({ pool, accessSecret: JWT_ACCESS_SECRET, refreshSecret: JWT_REFRESH_SECRET });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(PORT ?? 3100), '127.0.0.1', resolve);
  });
  process.stdout.write(`floor listening on 127.0.0.1:${server.address().port}\n`);

  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    server.close(() => {
      pool.end().finally(() => process.exit(0));
    });
    server.closeAllConnections?.();
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exit(1);
  });
}
