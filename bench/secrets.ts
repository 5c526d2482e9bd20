/**
 * bench/secrets: the Secret Manager and the Vault KV v2 API over mTLS, next to the bare Node https server of
 * bench/gateway in the same run. Reads (GET /v2/secret/{path}?includeData=true, GET /v1/secret/data/{path}) at
 * keep-alive c=50 against the bare server (goal ≥ 0.8×); writes (POST /v2/secret, a new path each) at c=16 against
 * the embedded store's own durable insert of the same records at the same concurrency, in this process (writes
 * are bounded by it). Rounds alternate; the median round is reported. Not a test: nothing here asserts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../src/storage/embedded/embedded-store';
import { startChild } from './lib/child';
import { startBenchOkmsd } from './lib/okmsd-child';
import { load, type LoadResult } from './lib/load';
import { table, throughput } from './lib/measure';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 2000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** The embedded store's durable insert of secret records, c=16, as many as okmsd wrote in one round. */
async function storeInsertRate(count: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'okmsd-bench-secrets-store-'));
  const store = openEmbeddedStore(dir);
  const now = new Date().toISOString();
  await store.accounts.create({ id: 'acme', description: '', isRoot: false, createdAt: now });
  const wrapped = JSON.stringify({ alg: 'A256GCM', iv: 'x'.repeat(16), data: 'y'.repeat(120) });
  const rate = await throughput(count, 16, (i) =>
    store.secretPaths.create({
      domainId: 'd', path: `w/${i}`, casRequired: null, customMetadata: {}, deactivateVersionAfter: null, maxVersions: null, currentVersion: 1,
      versions: [{ id: 1, state: 'active', createdAt: now, deactivatedAt: null, data: wrapped, bytes: 40 }], createdAt: now, updatedAt: now, version: 1,
    }),
  );
  await store.close();
  rmSync(dir, { recursive: true, force: true });
  return rate;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'okmsd-bench-secrets-'));
  const { okmsd, gatewayUrl, domain, tls: okmsdTls } = await startBenchOkmsd(join(work, 'data'));
  const clientTls = { cert: okmsdTls.cert, key: okmsdTls.key };
  const data = { user: 'app', password: 'p'.repeat(32), host: 'db.internal', port: 5432 };
  await load(`${gatewayUrl}/api/${domain.id}/v2/secret`, { concurrency: 1, durationMs: 1, keepAlive: false, tls: okmsdTls, method: 'POST', body: JSON.stringify({ path: 'bench/db', version: { data } }) });

  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(work, 'bare.key'), '-out', join(work, 'bare.crt'), '-subj', '/CN=localhost', '-days', '1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'pipe' });
  const bare = await startChild([join(__dirname, 'lib', 'bare-mtls-server.js'), join(work, 'bare.key'), join(work, 'bare.crt')], {}, /PORT (\d+)/);
  const bareTls = { ...clientTls, ca: readFileSync(join(work, 'bare.crt'), 'utf8') };
  const bareUrl = `https://127.0.0.1:${bare.match[1]}/api/x/v2/secret/y`;
  const base = `${gatewayUrl}/api/${domain.id}`;

  const rows: Array<Array<string | number>> = [];
  const readCell = async (label: string, url: string) => {
    const b: LoadResult[] = [];
    const o: LoadResult[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const common = { concurrency: 50, keepAlive: true, durationMs: DURATION_MS, warmupMs: round === 0 ? WARMUP_MS : 0 };
      b.push(await load(bareUrl, { ...common, tls: bareTls }));
      o.push(await load(url, { ...common, tls: okmsdTls }));
    }
    const ratios = o.map((r, i) => r.rps / b[i]!.rps);
    rows.push([label, Math.round(median(b.map((r) => r.rps))), Math.round(median(o.map((r) => r.rps))), median(ratios).toFixed(2), median(o.map((r) => r.p99)).toFixed(1), [...b, ...o].reduce((n, r) => n + r.errors, 0)]);
  };
  await readCell('Secret Manager read (includeData), c=50', `${base}/v2/secret/bench%2Fdb?includeData=true`);
  await readCell('Vault KV read (data), c=50', `${base}/v1/secret/data/bench/db`);

  let n = 0;
  const writes: LoadResult[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    writes.push(await load(`${base}/v2/secret`, { concurrency: 16, keepAlive: true, durationMs: DURATION_MS, warmupMs: round === 0 ? WARMUP_MS : 0, tls: okmsdTls, method: 'POST', body: () => JSON.stringify({ path: `w/${round}/${(n += 1)}`, version: { data } }) }));
  }
  await bare.stop();
  await okmsd.stop();
  rmSync(work, { recursive: true, force: true });
  const written = Math.round(median(writes.map((r) => r.rps)));
  const insert = await storeInsertRate(Math.max(2000, Math.round(written * (DURATION_MS / 1000))));

  console.log(`\nbench/secrets — bare Node mTLS server (fixed JSON) vs okmsd's Secret Manager and Vault KV; ${WARMUP_MS / 1000} s warm-up, median of ${ROUNDS} rounds of ${DURATION_MS / 1000} s, alternating`);
  console.log(table(['cell', 'bare req/s', 'okmsd req/s', 'ratio (goal ≥ 0.8)', 'okmsd p99 ms', 'errors'], rows));
  console.log(table(['writes, c=16', 'okmsd POST /v2/secret/s', 'store durable insert/s', 'ratio'], [['new path each', written, Math.round(insert), (written / insert).toFixed(2)]]));
  console.log(`write errors: ${writes.reduce((sum, r) => sum + r.errors, 0)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
