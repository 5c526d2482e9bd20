import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './cli-runner';
import { testMongoUri } from './mongo-server';

export { freePort } from '../../tools/free-port';

/** The environment of an `okmsd serve` node on the tests' MongoDB-wire store; every node of one store holds its master key. */
export function sharedStoreEnv(store: { database: string; token: string; masterKey: string }, extra: Record<string, string>): Record<string, string> {
  return { OKMSD_STORE: 'mongodb', OKMSD_MONGODB_URI: testMongoUri(store.database), OKMSD_ADMIN_TOKEN: store.token, OKMSD_MASTER_KEY: store.masterKey, OKMSD_LIFECYCLE_INTERVAL: '0', ...extra };
}

/** SIGTERM to each child, resolved once every one has exited. */
export async function stopChildren(children: readonly ChildProcess[]): Promise<void> {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve)))));
}

/** `okmsd serve …` as a child process: every JSON line it prints, and a wait for the n-th line with a given msg. */
export interface ServeProcess {
  readonly child: ChildProcess;
  readonly lines: ReadonlyArray<Record<string, unknown>>;
  /** Resolves once `n` lines with this msg have been printed; rejects if the process exits first. */
  seen(msg: string, n?: number): Promise<void>;
  /** The first line with this msg (after `seen`). */
  first(msg: string): Record<string, unknown>;
}

/** Starts `okmsd serve ARGS` with only PATH and `env`, its stderr inherited; `children` collects it for stopChildren. */
export function startServe(args: string[], env: Record<string, string>, children: ChildProcess[]): ServeProcess {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines: Array<Record<string, unknown>> = [];
  const count = (msg: string) => lines.filter((l) => l.msg === msg).length;
  const waiters: Array<{ msg: string; n: number; resolve: () => void }> = [];
  let partial = '';
  child.stdout!.on('data', (chunk) => {
    const complete = (partial + String(chunk)).split('\n');
    partial = complete.pop()!;
    for (const text of complete) {
      try {
        lines.push(JSON.parse(text) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
    for (const w of waiters.splice(0)) (count(w.msg) >= w.n ? w.resolve() : waiters.push(w));
  });
  return {
    child,
    lines,
    seen: (msg, n = 1) =>
      new Promise<void>((resolve, reject) => {
        if (count(msg) >= n) return resolve();
        waiters.push({ msg, n, resolve });
        child.once('exit', (code) => reject(new Error(`okmsd serve ${args.join(' ')} exited ${code} before printing "${msg}" ${n} times`)));
      }),
    first: (msg) => {
      const line = lines.find((l) => l.msg === msg);
      if (!line) throw new Error(`okmsd serve ${args.join(' ')} printed no "${msg}" line`);
      return line;
    },
  };
}
