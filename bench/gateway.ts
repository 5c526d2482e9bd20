/**
 * bench/gateway: okmsd's mTLS data plane against a bare Node https server with the same TLS settings, in one
 * run: keep-alive at concurrency 50 and 200 (req/s, p50, p99), the full-handshake rate (a new TLS connection per
 * request), and the cost of one IAM decision with 10,000 unrelated policies in the store. The load client runs
 * in this process on the same machine. Each cell is warmed up, then measured BENCH_ROUNDS times, bare and okmsd
 * alternating, and the median round is reported. With BENCH_PIN (default where `taskset` exists and there are two
 * or more CPUs) each server runs on the last CPU and the client on the others, the same placement for both
 * servers: the machine's scheduler then moves nothing between runs. Not a test: nothing here asserts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IamService } from '../src/iam/iam-service';
import { openEmbeddedStore } from '../src/storage/embedded/embedded-store';
import { startChild } from './lib/child';
import { startBenchOkmsd } from './lib/okmsd-child';
import { load, type LoadResult } from './lib/load';
import { processCpuMs, table } from './lib/measure';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 2000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
const CPUS = availableParallelism();
const PIN = (process.env.BENCH_PIN ?? '1') !== '0' && CPUS >= 2 && spawnSync('taskset', ['-V']).status === 0;

/** All threads of `pid` (and those it starts later) onto `cpus`. */
function pin(pid: number, cpus: string): void {
  if (PIN) execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function decisionCost(unrelated: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'okmsd-bench-iam-'));
  const store = openEmbeddedStore(dir);
  const now = new Date().toISOString();
  await store.accounts.create({ id: 'acme', description: '', isRoot: false, createdAt: now });
  const resource = 'urn:v1:eu:resource:okms:11111111-1111-4111-8111-111111111111';
  const policy = (i: number, login: string) => ({
    accountId: 'acme', kind: 'policy' as const, id: `p${i}`, createdAt: now, updatedAt: now, version: 1,
    doc: { name: `p${i}`, identities: [`urn:v1:eu:identity:user:acme/${login}`], resources: [resource], allow: ['okms:apikms:serviceKey/*'], except: [], deny: [], description: '', conditions: {} },
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

/** utime + stime of a process in ms, all its threads (the server CPU table needs Linux's /proc). */
function cpuMs(pid: number): number {
  const ms = processCpuMs(pid);
  if (ms === undefined) throw new Error(`no /proc/${pid}/stat: bench/gateway measures server CPU on Linux only`);
  return ms;
}

const perRequestMicros = (spent: { ms: number; requests: number }) => Math.round((spent.ms * 1000) / Math.max(1, spent.requests));

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'okmsd-bench-gw-'));
  // Every limit is on (each call takes a token from the per-source and per-caller buckets); the per-caller one is
  // sized above what one bench credential sends (~16k/s here), since the bench measures cost, not throttling.
  const { okmsd, gatewayUrl, domain, tls: okmsdTls } = await startBenchOkmsd(join(work, 'data'));
  const clientTls = { cert: okmsdTls.cert, key: okmsdTls.key };
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
  const serverCpu = String(CPUS - 1);
  pin(okmsd.child.pid!, serverCpu);
  pin(bare.child.pid!, serverCpu);
  pin(process.pid, CPUS > 2 ? `0-${CPUS - 2}` : '0');
  const bareUrl = `https://127.0.0.1:${bare.match[1]}/api/x/v1/servicekey/y/encrypt`;
  const bareTls = { ...clientTls, ca: readFileSync(join(work, 'bare.crt'), 'utf8') };
  const encryptUrl = `${gatewayUrl}/api/${domain.id}/v1/servicekey/${key.id}/encrypt`;
  const encryptBody = JSON.stringify({ plaintext: Buffer.alloc(256, 7).toString('base64'), context: 'bench' });

  const rows: Array<Array<string | number>> = [];
  const cpuRows: Array<Array<string | number>> = [];
  const cell = async (label: string, options: { concurrency: number; keepAlive: boolean }) => {
    const b: LoadResult[] = [];
    const o: LoadResult[] = [];
    const spent = { bare: { ms: 0, requests: 0 }, okmsd: { ms: 0, requests: 0 } };
    // Server CPU per request (from /proc): on a shared machine whose speed drifts, wall-clock rates move with the
    // neighbours, CPU time per request much less.
    const measured = async (which: 'bare' | 'okmsd', pid: number, run: () => Promise<LoadResult>) => {
      const before = cpuMs(pid);
      const result = await run();
      spent[which].ms += cpuMs(pid) - before;
      spent[which].requests += result.requests;
      return result;
    };
    for (let round = 0; round < ROUNDS; round += 1) {
      const common = { ...options, durationMs: DURATION_MS, warmupMs: round === 0 ? WARMUP_MS : 0, method: 'POST', body: encryptBody };
      b.push(await measured('bare', bare.child.pid!, () => load(bareUrl, { ...common, tls: bareTls })));
      o.push(await measured('okmsd', okmsd.child.pid!, () => load(encryptUrl, { ...common, tls: okmsdTls })));
    }
    cpuRows.push([label, perRequestMicros(spent.bare), perRequestMicros(spent.okmsd), (perRequestMicros(spent.okmsd) / perRequestMicros(spent.bare)).toFixed(2)]);
    const ratios = o.map((r, i) => r.rps / b[i]!.rps);
    const p99Ratios = o.map((r, i) => r.p99 / b[i]!.p99);
    const range = (values: number[]) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
    const m = (results: LoadResult[], field: keyof LoadResult) => median(results.map((r) => r[field]));
    rows.push([label, m(b, 'rps'), m(o, 'rps'), median(ratios), range(ratios), m(b, 'p50'), m(o, 'p50'), m(b, 'p99'), m(o, 'p99'), median(p99Ratios), range(p99Ratios), [...b, ...o].reduce((n, r) => n + r.errors, 0)]);
  };
  await cell('keep-alive, c=50', { concurrency: 50, keepAlive: true });
  await cell('keep-alive, c=200', { concurrency: 200, keepAlive: true });
  await cell('full handshake, c=16', { concurrency: 16, keepAlive: false });
  await bare.stop();
  await okmsd.stop();
  rmSync(work, { recursive: true, force: true });

  const withNone = await decisionCost(0);
  const withMany = await decisionCost(10_000);
  const placement = PIN ? `servers pinned to CPU ${serverCpu}, client to ${CPUS > 2 ? `0-${CPUS - 2}` : '0'}` : `no pinning, ${CPUS} CPUs shared`;
  console.log(`\nbench/gateway — bare Node mTLS server (fixed JSON) vs okmsd encrypt (256 B); ${WARMUP_MS / 1000} s warm-up, median of ${ROUNDS} rounds of ${DURATION_MS / 1000} s, alternating; ${placement}`);
  console.log(table(['scenario', 'bare req/s', 'okmsd req/s', 'okmsd/bare', '(rounds)', 'bare p50 ms', 'okmsd p50 ms', 'bare p99 ms', 'okmsd p99 ms', 'p99 ratio', '(rounds)', 'errors'], rows));
  console.log(`\nserver CPU per request (user + system, all rounds; okmsd's includes its writer thread)`);
  console.log(table(['scenario', 'bare µs/req', 'okmsd µs/req', 'okmsd/bare'], cpuRows));
  console.log(`IAM decision: ${withNone.toFixed(2)} µs with 1 policy, ${withMany.toFixed(2)} µs with 10,000 unrelated policies (ratio ${(withMany / withNone).toFixed(2)})`);
  console.log('goals: keep-alive ratio >= 0.7, p99 within 1.5x of bare, decision < 20 µs\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
