import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const CLI = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const execFileAsync = promisify(execFile);

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Fails loudly when the CLI was not built (npm test builds it first). */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error('run "npm run build" first (npm test does it)');
}

/** Runs the built CLI as a child process in `cwd` with exactly `env`; never throws, returns what a shell would see. */
export async function runCli(args: readonly string[], options: { cwd: string; env: Record<string, string | undefined> }): Promise<CliResult> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [CLI, ...args], { cwd: options.cwd, env: options.env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
