import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Compiles src/ (what `npm run build` ships: tsc with tsconfig.build.json) into a directory of
 * this suite's own under .data/, so suites running in parallel never rebuild each other's dist/.
 * Returns the path of its main.js.
 */
export async function buildPrivately(name: string): Promise<string> {
  const outDir = join(ROOT, '.data', 'test-builds', `${name}-${process.pid}`);
  mkdirSync(outDir, { recursive: true });
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], {
    cwd: ROOT,
  }).catch((error: { stdout?: string; stderr?: string }) => {
    // tsc prints its diagnostics on stdout, which the error's message leaves out.
    throw new Error(`build failed: ${error.stdout ?? ''}${error.stderr ?? ''}`);
  });
  // What nest build copies beside the JavaScript (nest-cli.json assets: mail templates).
  cpSync(join(ROOT, 'src'), outDir, { recursive: true, filter: (source) => !source.endsWith('.ts') });
  return join(outDir, 'main.js');
}

export interface ServiceRun {
  /** Exit code, or null when it was still running at `timeoutMs` (then it was stopped with SIGTERM). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Whether it logged that it listens. */
  listened: boolean;
}

/**
 * Runs `node <main>` with exactly `env` (plus PATH) until it exits, or until it logs that it
 * listens (then SIGTERM), or until `timeoutMs`.
 */
export function runService(main: string, env: Record<string, string>, timeoutMs = 20_000): Promise<ServiceRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [main], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    let listened = false;
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!listened && stdout.includes('Listening on')) {
        listened = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', fail);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, listened });
    });
  });
}
