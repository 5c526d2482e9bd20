import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, tempDir } from '../helpers/harness';
import { requireTools } from '../helpers/outside-tools';
import { dropTestDatabases, testMongoUri } from '../helpers/mongo-server';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'src', 'cli', 'main.js');

interface Served {
  child: ChildProcess;
  url: string;
  stdout: () => string;
}

/** Runs the built `okmsd serve` exactly as `npm start` does, on an ephemeral port. */
async function serve(dataDir: string, storeEnv: Record<string, string> = {}): Promise<Served> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does it)`);
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: { PATH: process.env.PATH, OKMSD_DATA_DIR: dataDir, OKMSD_PORT: '0', OKMSD_GATEWAY_PORT: '0', OKMSD_KMIP_PORT: '0', ...storeEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += String(chunk)));
  child.stderr!.on('data', (chunk) => (out += String(chunk)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /"controlUrl":"([^"]+)"/.exec(out);
      if (match) {
        clearInterval(timer);
        resolve(match[1]!);
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`okmsd exited with ${code}: ${out}`));
    });
  });
  return { child, url, stdout: () => out };
}

function stop(served: Served): Promise<number | null> {
  return new Promise((resolve) => {
    if (served.child.exitCode !== null) return resolve(served.child.exitCode);
    served.child.once('exit', (code) => resolve(code));
    served.child.kill('SIGTERM');
  });
}

/** The bash block between the walkthrough markers in README.md, run as written. */
function readmeWalkthrough(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const match = /<!-- walkthrough:start -->\s*```bash\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(readme);
  if (!match) throw new Error('README.md has no walkthrough block');
  return match[1]!;
}

describe('okmsd serve (the built CLI, as npm start runs it)', () => {
  const dataDir = tempDir();
  afterAll(() => removeDir(dataDir));

  it('first start: makes the data dir and writes the root token to its file (mode 0600) only, never to stdout', async () => {
    const served = await serve(dataDir);
    const file = join(dataDir, 'admin-token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'okmsd.sqlite')).mode & 0o077).toBe(0); // the database: owner only
    const token = readFileSync(file, 'utf8').trim();
    expect(token).toMatch(/^okmsd\.[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/);
    expect((await fetch(`${served.url}/healthz`)).status).toBe(200);
    const me = await fetch(`${served.url}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toEqual({ account: 'root', urn: 'urn:v1:eu:identity:account:root', isRoot: true });
    // stdout (journald, docker logs) says where the token is, never what it is.
    expect(served.stdout()).toContain('generated the root admin token into its file');
    expect(served.stdout()).toContain(file);
    expect(served.stdout()).not.toContain(token);
    expect(served.stdout()).not.toContain(token.split('.')[2]!);
    expect(await stop(served)).toBe(0);
  });

  it('second start: the same token works and nothing is printed again', async () => {
    const served = await serve(dataDir);
    expect(served.stdout()).not.toContain('generated the root admin token');
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    expect((await fetch(`${served.url}/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(await stop(served)).toBe(0);
  });

  const mongoDatabase = `okmsd_walkthrough_${process.pid}`;
  afterAll(() => dropTestDatabases(mongoDatabase));
  it.each([
    ['embedded', () => ({})],
    ['mongodb', () => ({ OKMSD_STORE: 'mongodb', OKMSD_MONGODB_URI: testMongoUri(mongoDatabase) })],
  ] as Array<[string, () => Record<string, string>]>)('the README curl walk-through works as written (%s store)', async (_store, storeEnv) => {
    requireTools('openssl', 'curl', 'jq');
    const served = await serve(dataDir, storeEnv());
    try {
      const work = tempDir('okmsd-walkthrough-');
      const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn('bash', ['-euo', 'pipefail', '-c', readmeWalkthrough()], {
          cwd: work,
          env: { PATH: process.env.PATH, OKMSD_URL: served.url, OKMSD_DATA_DIR: dataDir },
        });
        let out = '';
        child.stdout.on('data', (c) => (out += String(c)));
        child.stderr.on('data', (c) => (out += String(c)));
        child.on('exit', (code) => resolve({ code, out }));
      });
      removeDir(work);
      expect(result.out).toContain('client.crt: OK');
      expect(result.out).toContain('my.crt: OK');
      expect(result.out).toMatch(/"fromCSR": true/);
      expect(result.out).toMatch(/\n204\n/);
      expect(result.out).toContain('\nhello okmsd\n'); // encrypted and decrypted through the mTLS gateway
      expect(result.out).toMatch(/\ncert_revoked\n/);
      expect(result.code).toBe(0);
    } finally {
      await stop(served);
    }
  });

  it('OKMSD_ADMIN_TOKEN set on a store with a generated root token: that token is revoked, its file removed, and the start says so', async () => {
    const generated = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const configured = 'configured-root-token-0123456789';
    const served = await serve(dataDir, { OKMSD_ADMIN_TOKEN: configured });
    try {
      expect(served.stdout()).toContain('that token is revoked and its file removed');
      expect(existsSync(join(dataDir, 'admin-token'))).toBe(false);
      expect((await fetch(`${served.url}/me`, { headers: { authorization: `Bearer ${generated}` } })).status).toBe(401);
      expect((await fetch(`${served.url}/me`, { headers: { authorization: `Bearer ${configured}` } })).status).toBe(200);
    } finally {
      await stop(served);
    }
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM it stops accepting, finishes in-flight requests, and exits 0', async () => {
    const dataDir = tempDir();
    try {
      const served = await serve(dataDir);
      const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const domain = (await (await fetch(`${served.url}/okms/resource`, { method: 'POST', headers, body: '{"name":"shutdown"}' })).json()) as { id: string };
      // RSA creations take a while (key generation): several are in flight when the signal arrives.
      const inFlight = Array.from({ length: 3 }, (_, i) =>
        fetch(`${served.url}/okms/resource/${domain.id}/credential`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ name: `late-${i}`, identityURNs: ['urn:v1:eu:identity:account:root'], certificateType: 'RSA' }),
        }).then((r) => r.status),
      );
      await new Promise((r) => setTimeout(r, 30));
      const exited = stop(served);
      expect(await Promise.all(inFlight)).toEqual([201, 201, 201]);
      expect(await exited).toBe(0);
      await expect(fetch(`${served.url}/healthz`)).rejects.toThrow();
    } finally {
      removeDir(dataDir);
    }
  });
});
