import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { freePort } from '../../src/database/embedded-postgres.js';
import { redisAnswers } from './redis.js';
import { waitFor } from './wait.js';

export const REDIS_SERVER_BINARY = process.env.REDIS_SERVER_BINARY ?? '/usr/bin/redis-server';

/** Why a suite cannot start a Redis of its own here, or undefined. In CI a missing binary is a failure, never a skip. */
export function redisServerMissing(): string | undefined {
  if (existsSync(REDIS_SERVER_BINARY)) return undefined;
  const reason = `${REDIS_SERVER_BINARY} is not installed (Debian: apt-get install -y redis-server)`;
  if (process.env.CI === 'true') throw new Error(`CI must run the Redis outage suite: ${reason}`);
  return reason;
}

/**
 * A throw-away redis-server on a free port (never the machine's 6379), without persistence, that a
 * suite can stop and start again on the same port to play an outage.
 */
export class RedisServer {
  private child?: ChildProcess;
  private output = '';

  private constructor(readonly port: number) {}

  static async start(): Promise<RedisServer> {
    const server = new RedisServer(await freePort());
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    const child = spawn(REDIS_SERVER_BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child = child;
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}:\n${this.output}`);
      return redisAnswers(this.url);
    }, 10_000, 50);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL'); // an outage, not a clean shutdown: clients see their connections drop
    await exited;
  }
}
