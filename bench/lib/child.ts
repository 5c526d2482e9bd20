import { spawn, type ChildProcess } from 'node:child_process';

export interface StartedChild {
  readonly child: ChildProcess;
  /** The match of `ready` in the child's stdout. */
  readonly match: RegExpExecArray;
  stop(): Promise<void>;
}

/** Runs `node args…` with only PATH and `env`, until its stdout matches `ready`. */
export function startChild(args: string[], env: Record<string, string>, ready: RegExp): Promise<StartedChild> {
  const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const stop = () => new Promise<void>((resolve) => (child.once('exit', () => resolve()), child.kill('SIGTERM')));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${out.slice(0, 2000)}`)));
    child.stdout!.on('data', (chunk) => {
      if (out.length < 100_000) out += String(chunk);
      const match = ready.exec(out);
      if (match) resolve({ child, match, stop });
    });
  });
}
