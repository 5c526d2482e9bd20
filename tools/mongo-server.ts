import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MongoClient } from 'mongodb';
import { freePort } from './free-port';

/** Test and benchmark tooling: a real MongoDB-wire server on loopback. Not part of the product. */
export interface StartedMongoServer {
  readonly uri: string;
  readonly description: string;
  stop(): Promise<void>;
}

/** The repository root, from the source tree (tools/) or the build (dist/tools/). */
function repositoryRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'tools', 'ferretdb', 'build.sh'))) {
    if (dirname(dir) === dir) throw new Error('tools/ferretdb/build.sh not found above ' + __dirname);
    dir = dirname(dir);
  }
  return dir;
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

async function waitUntilAnswering(uri: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the test MongoDB server exited (${child.exitCode}):\n${output()}`);
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 500 });
    try {
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the test MongoDB server did not answer within 30 s: ${(error as Error).message}\n${output()}`);
    } finally {
      await client.close().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts a real MongoDB-wire server on a free loopback port with a temporary data directory: `mongod` when it is
 * on PATH, otherwise FerretDB v1.24.2 (SQLite backend) built from tools/ferretdb on first use.
 */
export async function startMongoServer(): Promise<StartedMongoServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'okmsd-mongo-'));
  const port = await freePort();
  let command: string;
  let args: string[];
  let description: string;
  if (onPath('mongod')) {
    command = 'mongod';
    args = ['--dbpath', dataDir, '--port', String(port), '--bind_ip', '127.0.0.1', '--quiet'];
    description = 'mongod';
  } else {
    const built = spawnSync('bash', [join(repositoryRoot(), 'tools', 'ferretdb', 'build.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (built.status !== 0) throw new Error('could not build FerretDB (tools/ferretdb/build.sh); set TEST_MONGODB_URI to use another server');
    command = built.stdout.trim().split('\n').pop()!;
    args = [
      '--handler=sqlite', `--sqlite-url=file:${dataDir}/`, `--listen-addr=127.0.0.1:${port}`,
      '--telemetry=disable', '--debug-addr=-', '--state-dir=-', '--log-level=error',
    ];
    description = 'FerretDB v1.24.2 (SQLite backend)';
  }
  let output = '';
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DO_NOT_TRACK: '1' } });
  child.stdout!.on('data', (chunk) => (output = (output + String(chunk)).slice(-4000)));
  child.stderr!.on('data', (chunk) => (output = (output + String(chunk)).slice(-4000)));
  const uri = `mongodb://127.0.0.1:${port}/`;
  try {
    await waitUntilAnswering(uri, child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    uri,
    description,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
