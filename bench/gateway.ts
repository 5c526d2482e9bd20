/**
 * bench/gateway: okmsd's mTLS data plane against a bare Node https server with the same TLS settings, in one
 * run: keep-alive at concurrency 50 and 200 (req/s, p50, p99), the full-handshake rate (a new TLS connection per
 * request), and the cost of one IAM decision with 10,000 unrelated policies in the store. The load client runs
 * in this process, on the same cores as the servers. Not a test: nothing here asserts.
 */
import { execFileSync } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IamService } from '../src/iam/iam-service';
import { openEmbeddedStore } from '../src/storage/embedded/embedded-store';
import { startChild } from './lib/child';
import { load, type LoadResult } from './lib/load';
import { table } from './lib/measure';

const TOKEN = 'bench-admin-token-0123456789';
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 4000);

async function json(url: string, init: RequestInit): Promise<any> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function decisionCost(unrelated: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'okmsd-bench-iam-'));
  const store = openEmbeddedStore(dir);
  const now = new Date().toISOString();
  await store.accounts.create({ id: 'acme', description: '', isRoot: false, createdAt: now });
  const resource = 'urn:v1:eu:resource:okms:11111111-1111-4111-8111-111111111111';
  const policy = (i: number, login: string) => ({
    accountId: 'acme', kind: 'policy' as const, id: `p${i}`, createdAt: now, updatedAt: now, version: 1,
    doc: { name: `p${i}`, identities: [`urn:v1:eu:identity:user:acme/${login}`], resources: [resource], allow: ['okms:apikms:serviceKey/*'], except: [], deny: [] },
  });
  await Promise.all(Array.from({ length: unrelated }, (_, i) => store.iam.create(policy(i, `user${i}`))));
  await store.iam.create(policy(unrelated, 'caller'));
  const iam = new IamService({ store, clock: () => new Date(), urnRegion: 'eu' });
  const input = { accountId: 'acme', identities: ['urn:v1:eu:identity:user:acme/caller'], action: 'okms:apikms:serviceKey/encrypt', resource: `${resource}/serviceKey/k` };
  await iam.decide(input); // warm the snapshot (it is re-read once a second at most)
  const rounds = 200_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i += 1) await iam.decide(input);
  const micros = Number(process.hrtime.bigint() - started) / 1000 / rounds;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return micros;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'okmsd-bench-gw-'));
  // BENCH_PROFILE_DIR: the okmsd child writes a V8 CPU profile there when it stops (for finding the hot spots).
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const okmsd = await startChild(
    [...profile, join(__dirname, '..', 'src', 'cli', 'main.js'), 'serve'],
    { OKMSD_DATA_DIR: join(work, 'data'), OKMSD_PORT: '0', OKMSD_GATEWAY_PORT: '0', OKMSD_ADMIN_TOKEN: TOKEN, OKMSD_LOG_LEVEL: 'info' },
    /"controlUrl":"([^"]+)".*?"gatewayUrl":"([^"]+)"/,
  );
  const [, controlUrl, gatewayUrl] = okmsd.match as unknown as [string, string, string];
  const admin = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const domain = await json(`${controlUrl}/okms/resource`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'bench' }) });
  const credential = await json(`${controlUrl}/okms/resource/${domain.id}/credential`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'bench', identityURNs: ['urn:v1:eu:identity:account:root'] }) });
  const clientTls = { cert: credential.certificatePEM as string, key: credential.privateKeyPEM as string };
  const okmsdTls = { ...clientTls, ca: domain.restEndpointCA as string };
  const key = await new Promise<{ id: string }>((resolve, reject) => {
    const req = httpsRequest(`${gatewayUrl}/api/${domain.id}/v1/servicekey`, { method: 'POST', ...okmsdTls, headers: { 'content-type': 'application/json' } }, (res: import('node:http').IncomingMessage) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => (res.statusCode === 201 ? resolve(JSON.parse(body)) : reject(new Error(body))));
    });
    req.end(JSON.stringify({ name: 'bench', type: 'oct', size: 256, operations: ['encrypt', 'decrypt'] }));
  });

  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(work, 'bare.key'), '-out', join(work, 'bare.crt'), '-subj', '/CN=localhost', '-days', '1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  const bare = await startChild([join(__dirname, 'lib', 'bare-mtls-server.js'), join(work, 'bare.key'), join(work, 'bare.crt')], {}, /PORT (\d+)/);
  const viaExpress = await startChild([join(__dirname, 'lib', 'bare-mtls-server.js'), join(work, 'bare.key'), join(work, 'bare.crt'), 'express'], {}, /PORT (\d+)/);
  const bareUrl = `https://127.0.0.1:${bare.match[1]}/api/x/v1/servicekey/y/encrypt`;
  const expressUrl = `https://127.0.0.1:${viaExpress.match[1]}/api/x/v1/servicekey/y/encrypt`;
  const bareTls = { ...clientTls, ca: readFileSync(join(work, 'bare.crt'), 'utf8') };
  const encryptUrl = `${gatewayUrl}/api/${domain.id}/v1/servicekey/${key.id}/encrypt`;
  const encryptBody = JSON.stringify({ plaintext: Buffer.alloc(256, 7).toString('base64'), context: 'bench' });

  const rows: Array<Array<string | number>> = [];
  const row = (label: string, b: LoadResult, o: LoadResult, e?: LoadResult) =>
    rows.push([label, b.rps, e ? e.rps : '-', o.rps, o.rps / b.rps, e ? o.rps / e.rps : '-', b.p50, o.p50, b.p99, o.p99, o.p99 / b.p99, b.errors + o.errors + (e?.errors ?? 0)]);
  for (const concurrency of [50, 200]) {
    const b = await load(bareUrl, { concurrency, durationMs: DURATION_MS, keepAlive: true, tls: bareTls, method: 'POST', body: encryptBody });
    const e = await load(expressUrl, { concurrency, durationMs: DURATION_MS, keepAlive: true, tls: bareTls, method: 'POST', body: encryptBody });
    const o = await load(encryptUrl, { concurrency, durationMs: DURATION_MS, keepAlive: true, tls: okmsdTls, method: 'POST', body: encryptBody });
    row(`keep-alive, c=${concurrency}`, b, o, e);
  }
  {
    const b = await load(bareUrl, { concurrency: 16, durationMs: DURATION_MS, keepAlive: false, tls: bareTls, method: 'POST', body: encryptBody });
    const o = await load(encryptUrl, { concurrency: 16, durationMs: DURATION_MS, keepAlive: false, tls: okmsdTls, method: 'POST', body: encryptBody });
    row('full handshake, c=16', b, o);
  }
  await bare.stop();
  await viaExpress.stop();
  await okmsd.stop();
  rmSync(work, { recursive: true, force: true });

  const withNone = await decisionCost(0);
  const withMany = await decisionCost(10_000);
  console.log(`\nbench/gateway — bare Node mTLS server and the same behind Express 5 (fixed JSON) vs okmsd encrypt (256 B), ${DURATION_MS / 1000} s per cell, client on the same cores`);
  console.log(table(['scenario', 'bare req/s', 'express req/s', 'okmsd req/s', 'okmsd/bare', 'okmsd/express', 'bare p50 ms', 'okmsd p50 ms', 'bare p99 ms', 'okmsd p99 ms', 'p99 ratio', 'errors'], rows));
  console.log(`IAM decision: ${withNone.toFixed(2)} µs with 1 policy, ${withMany.toFixed(2)} µs with 10,000 unrelated policies (ratio ${(withMany / withNone).toFixed(2)})`);
  console.log('goals: keep-alive ratio >= 0.7, p99 within 1.5x of bare, decision < 20 µs\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
