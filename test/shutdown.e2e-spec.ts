import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import { connect } from 'node:net';
import { newUser } from './factories/user.factory.js';
import { buildService, startService, type ServiceProcess } from './setup/built-service.js';
import { TestDatabase } from './setup/database.js';

/** API.md "Operations": exit 0 within 10 s of SIGTERM, keep-alive clients or not. */
const EXIT_WITHIN_MS = 10_000;
const KEEP_ALIVE_SOCKETS = 8;
const LOGINS_IN_FLIGHT = 6;

interface Answer {
  status: number;
  connection: string | undefined;
  body: string;
}

function send(agent: http.Agent, port: number, method: string, path: string, body?: unknown) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  let sent!: () => void;
  const written = new Promise<void>((resolve) => (sent = resolve));
  const answered = new Promise<Answer>((resolve, reject) => {
    const req = http.request(
      { agent, host: '127.0.0.1', port, method, path, headers: payload ? { 'content-type': 'application/json' } : {} },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection, body: text }));
      },
    );
    req.on('error', reject);
    req.on('finish', () => sent());
    req.end(payload);
  });
  return { written, answered };
}

/** Whether a fresh TCP connection to `port` is refused. */
const refusesConnections = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });

/** The built service as a real process: what an orchestrator stops during a rolling restart. */
describe('SIGTERM with keep-alive clients (node dist/main.js)', () => {
  let db: TestDatabase;
  let service: ServiceProcess;

  beforeAll(async () => {
    await buildService();
    db = await TestDatabase.create();
    service = await startService(db.url);
  }, 300_000);

  afterAll(async () => {
    if (service && service.child.exitCode === null && service.child.signalCode === null) service.child.kill('SIGKILL');
    await db?.drop();
  }, 60_000);

  it('answers the requests in flight, refuses new connections, closes idle ones and exits 0 within 10 s', async () => {
    const account = newUser();
    const agent = new http.Agent({ keepAlive: true, maxSockets: KEEP_ALIVE_SOCKETS + LOGINS_IN_FLIGHT });
    const registered = await send(agent, service.port, 'POST', '/api/v1/auth/register', account).answered;
    expect(registered.status).toBe(201);
    // Idle keep-alive connections, as a load balancer holds them.
    const warmUp = await Promise.all(
      Array.from({ length: KEEP_ALIVE_SOCKETS }, () => send(agent, service.port, 'GET', '/health/live').answered),
    );
    expect(warmUp.map((answer) => answer.status)).toEqual(Array(KEEP_ALIVE_SOCKETS).fill(200));
    const sockets = Object.values(agent.freeSockets).flat();
    expect(sockets.length).toBeGreaterThanOrEqual(KEEP_ALIVE_SOCKETS);
    const socketsClosed = Promise.all(sockets.map((socket) => new Promise((resolve) => socket!.once('close', resolve))));

    // Logins cost an argon2id verification each: sent, then SIGTERM while they are computed.
    const logins = Array.from({ length: LOGINS_IN_FLIGHT }, () =>
      send(agent, service.port, 'POST', '/api/v1/auth/login', { email: account.email, password: account.password }),
    );
    await Promise.all(logins.map((login) => login.written));
    const signalledAt = Date.now();
    service.child.kill('SIGTERM');

    const answers = await Promise.all(logins.map((login) => login.answered));
    // `Connection: close` is only sent while draining: each of these was in flight at SIGTERM.
    expect(answers.map(({ status, connection }) => ({ status, connection }))).toEqual(
      Array(LOGINS_IN_FLIGHT).fill({ status: 200, connection: 'close' }),
    );
    for (const answer of answers) expect(JSON.parse(answer.body)).toMatchObject({ accessToken: expect.any(String) });
    expect(await refusesConnections(service.port)).toBe(true);

    let timer!: NodeJS.Timeout;
    const exit = await Promise.race([
      service.exited,
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), EXIT_WITHIN_MS + 2000))),
    ]);
    clearTimeout(timer);
    const exitMs = Date.now() - signalledAt;
    process.stdout.write(`SIGTERM to exit: ${exitMs} ms (${LOGINS_IN_FLIGHT} logins in flight, ${sockets.length} idle keep-alive connections)\n`);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitMs).toBeLessThan(EXIT_WITHIN_MS);
    await socketsClosed; // the idle keep-alive connections were closed by the server
    expect(service.output()).toMatch(/SIGTERM received/);
    agent.destroy();
  }, 120_000);
});
