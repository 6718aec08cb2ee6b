import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../src/database/embedded-postgres.js';
import { TEST_SECRETS } from './create-test-app.js';
import { waitFor } from './wait.js';

/** The newest modification time of a file under `dir`. */
function newestMtime(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    }),
  );
}

/**
 * Compiles src/ to dist/ as `npm run build` does, unless dist/ is newer than every source file
 * (CI builds before testing), so the process under test always runs the current code.
 */
export async function buildService(): Promise<void> {
  if (existsSync('dist/main.js') && statSync('dist/main.js').mtimeMs > newestMtime('src')) return;
  await promisify(execFile)(process.execPath, ['node_modules/@nestjs/cli/bin/nest.js', 'build'], { timeout: 120_000 });
}

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code and signal once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node dist/main.js` on a free port against `databaseUrl` and waits until it is ready. */
export async function startService(databaseUrl: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: 'info',
      THROTTLE_ENABLED: 'false',
      SWAGGER_ENABLED: 'false',
      ...TEST_SECRETS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}:\n${output}`);
    return fetch(`${baseUrl}/health/ready`).then((response) => response.ok, () => false);
  }, 30_000, 100);
  return { child, port, baseUrl, output: () => output, exited };
}
