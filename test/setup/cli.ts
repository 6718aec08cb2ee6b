import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `src/cli.ts` as its own process (through tsx, so no build is needed), the way an operator
 * runs `npm run cli -- ...`; resolves with the exit code and output whatever the code.
 */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', ...args],
      // NODE_OPTIONS carries jest's --experimental-vm-modules, which the CLI does not need.
      { cwd: REPO, env: { ...process.env, NODE_OPTIONS: '', ...env }, encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The `NAME=value` lines of a command's output (comments skipped), as an env object. */
export function envLinesOf(output: string): Record<string, string> {
  const entries = output
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [match[1], match[2]] as const);
  return Object.fromEntries(entries);
}
