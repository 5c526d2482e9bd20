import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { removeDir, tempDir } from '../helpers/harness';
import { dropTestDatabases, testMongoUri } from '../helpers/mongo-server';

const CLI = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const TOKEN = 'audit-crash-admin-token-0123456789';
const admin = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const mongoPrefix = `okmsd_audit_crash_${process.pid}_`;

async function serve(dataDir: string, env: Record<string, string>): Promise<{ child: ChildProcess; url: string; gateway: string }> {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: { PATH: process.env.PATH, OKMSD_DATA_DIR: dataDir, OKMSD_PORT: '0', OKMSD_GATEWAY_PORT: '0', OKMSD_KMIP_PORT: '0', OKMSD_ADMIN_TOKEN: TOKEN, ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`okmsd exited ${code}`)));
    child.stdout!.on('data', (c) => {
      out += String(c);
      const match = /"controlUrl":"([^"]+)".*?"gatewayUrl":"([^"]+)"/.exec(out);
      if (match) resolve({ child, url: match[1]!, gateway: match[2]! });
    });
  });
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

/** One mTLS call; resolves with the status and X-Request-Id, or undefined when the connection died. */
function call(agent: Agent, url: string, method: string, body: unknown): Promise<{ status: number; requestId: string; text: string } | undefined> {
  return new Promise((resolve) => {
    const data = JSON.stringify(body);
    const req = request(url, { method, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += String(chunk)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, requestId: String(res.headers['x-request-id']), text }));
      res.on('error', () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined));
    req.end(data);
  });
}

/**
 * The audit record of a data-plane call is in the store before the reply, including the records whose fsync is
 * deferred (calls that change nothing): SIGKILL during a burst of encrypt calls and key creations, restart, and
 * every answered call has its record, in a chain that verifies.
 */
describe.each([
  ['embedded', (_round: number) => ({})],
  ['mongodb', (round: number) => ({ OKMSD_STORE: 'mongodb', OKMSD_MONGODB_URI: testMongoUri(`${mongoPrefix}${round}`) })],
])('audit records of answered gateway calls survive SIGKILL (%s store)', (_name, storeEnv) => {
  afterAll(() => dropTestDatabases(mongoPrefix));
  it.each([1, 2])('kill point %i', async (round) => {
    const dataDir = tempDir('okmsd-audit-crash-');
    try {
      let node = await serve(dataDir, storeEnv(round));
      const domain = (await (await fetch(`${node.url}/okms/resource`, { method: 'POST', headers: admin, body: '{"name":"audit-crash"}' })).json()) as { id: string; restEndpointCA: string };
      const credential = (await (await fetch(`${node.url}/okms/resource/${domain.id}/credential`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'c', identityURNs: ['urn:v1:eu:identity:account:root'] }) })).json()) as { certificatePEM: string; privateKeyPEM: string };
      const agent = new Agent({ keepAlive: true, maxSockets: 16, ca: domain.restEndpointCA, cert: credential.certificatePEM, key: credential.privateKeyPEM });
      const api = `${node.gateway}/api/${domain.id}/v1/servicekey`;
      const key = await call(agent, api, 'POST', { name: 'k', type: 'oct', size: 256, operations: ['encrypt', 'decrypt'] });
      expect(key?.status).toBe(201);
      const keyId = (JSON.parse(key!.text) as { id: string }).id;

      const answered: string[] = [];
      const burst: Array<Promise<unknown>> = [];
      for (let i = 0; i < 600; i += 1) {
        const done = i % 10 === 0
          ? call(agent, api, 'POST', { name: `k${i}`, type: 'oct', size: 128, operations: ['encrypt'] })
          : call(agent, `${api}/${keyId}/encrypt`, 'POST', { plaintext: Buffer.from(`message ${i}`).toString('base64') });
        burst.push(done.then((r) => r && r.status < 500 && answered.push(r.requestId)));
      }
      await Promise.race(burst);
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(Math.random() * 150)));
      await killed(node.child);
      await Promise.all(burst);
      agent.destroy();

      node = await serve(dataDir, storeEnv(round));
      try {
        const recorded = new Set<string>();
        for (let after = 0; ; ) {
          const page = (await (await fetch(`${node.url}/audit?after=${after}&limit=1000`, { headers: admin })).json()) as Array<{ seq: number; record: { requestId: string } }>;
          for (const entry of page) recorded.add(entry.record.requestId);
          if (page.length < 1000) break;
          after = page[page.length - 1]!.seq;
        }
        expect(answered.length).toBeGreaterThan(0);
        expect(answered.filter((id) => !recorded.has(id))).toEqual([]);
        const verdict = (await (await fetch(`${node.url}/audit/verify`, { method: 'POST', headers: admin })).json()) as { intact: boolean };
        expect(verdict.intact).toBe(true);
      } finally {
        await killed(node.child);
      }
    } finally {
      removeDir(dataDir);
    }
  });
});
