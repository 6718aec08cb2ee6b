import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/database/embedded-postgres.js';
import { waitFor } from './wait.js';

export const PGBOUNCER_BINARY = process.env.PGBOUNCER_BINARY ?? '/usr/sbin/pgbouncer';

/** Why the PgBouncer suite cannot run here, or undefined. In CI a missing binary is a failure, never a skip. */
export function pgbouncerMissing(): string | undefined {
  if (existsSync(PGBOUNCER_BINARY)) return undefined;
  const reason = `${PGBOUNCER_BINARY} is not installed (Debian: apt-get install -y pgbouncer)`;
  if (process.env.CI === 'true') throw new Error(`CI must run the PgBouncer suite: ${reason}`);
  return reason;
}

export interface PgBouncer {
  /** `databaseUrl` with host and port replaced by the pooler's. */
  urlFor(databaseUrl: string): string;
  /** What PgBouncer wrote to stderr (for a failing test's message). */
  output(): string;
  stop(): Promise<void>;
}

const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;

/**
 * Starts Debian's PgBouncer in `pool_mode=transaction` in front of the run's PostgreSQL
 * (TEST_ADMIN_DATABASE_URL: the machine's server or the embedded cluster), on a free port, with
 * `serverConnections` server connections per database: fewer than the application's pool, so
 * consecutive transactions of one client connection land on different server connections.
 * PgBouncer refuses to run as root; as root it drops to the `postgres` user, which owns its directory.
 */
export async function startPgBouncer(serverConnections = 2): Promise<PgBouncer> {
  const server = new URL(process.env.TEST_ADMIN_DATABASE_URL!);
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'pgbouncer-'));
  const user = decodeURIComponent(server.username || userInfo().username);
  const password = decodeURIComponent(server.password);
  // Clients are trusted; PgBouncer logs in to PostgreSQL with the run's credentials.
  await writeFile(join(dir, 'userlist.txt'), `${quote(user)} ${quote(password)}\n`);
  await writeFile(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${serverConnections}`,
      'max_client_conn = 500',
      // node-postgres sends none of these today; a client that does must not be refused.
      'ignore_startup_parameters = extra_float_digits,options',
      'server_reset_query =',
      '',
    ].join('\n'),
  );
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { uid, gid } = await postgresUser();
    for (const file of ['', 'userlist.txt', 'pgbouncer.ini']) await chown(join(dir, file), uid, gid);
  }
  const child: ChildProcess = spawn(PGBOUNCER_BINARY, [...(asRoot ? ['-u', 'postgres'] : []), join(dir, 'pgbouncer.ini')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const urlFor = (databaseUrl: string) => {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    return url.toString();
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT'); // PgBouncer's immediate shutdown
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`PgBouncer exited with ${child.exitCode}:\n${output}`);
      return answers(urlFor(server.toString()));
    }, 10_000, 100);
  } catch (error) {
    await stop();
    throw error;
  }
  return { urlFor, output: () => output, stop };
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const line = (await readFile('/etc/passwd', 'utf8')).split('\n').find((entry) => entry.startsWith('postgres:'));
  if (!line) throw new Error('PgBouncer refuses to run as root and there is no `postgres` user to run it as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
