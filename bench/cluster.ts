/**
 * bench/cluster: data-plane throughput (encrypt, 256 B, kept connections) of `okmsd serve --plane gateway
 * --workers W` for each W in BENCH_CLUSTER_WORKERS (default 1,2; try 1,2,4,8,16 on a bigger machine), beside one
 * `--plane control` process, all on one embedded store. The load comes from separate client processes. With
 * `taskset` and enough CPUs (W for the gateways plus at least one for the clients), the gateway processes are
 * pinned to CPUs 0..W-1 and the clients to the rest, so that the two never share a core; otherwise nothing is
 * pinned and the table says so. Reports req/s and the ratio to W=1 (goal: >= 1.7 at W=2). Not a test.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadResult } from './lib/load';
import { startChild } from './lib/child';
import { table } from './lib/measure';

const WORKERS = (process.env.BENCH_CLUSTER_WORKERS ?? '1,2').split(',').map(Number).filter((n) => n >= 1);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CLUSTER_CONCURRENCY ?? 64);
const CPUS = availableParallelism();
const TASKSET = spawnSync('taskset', ['-V']).status === 0;
const TOKEN = 'bench-admin-token-0123456789';
const admin = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

const range = (from: number, to: number) => (from === to ? String(from) : `${from}-${to}`);

async function json(url: string, init: RequestInit): Promise<any> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

function runClient(cpus: string | undefined, task: object): Promise<LoadResult> {
  const args = [join(__dirname, 'lib', 'load-client.js')];
  const child = cpus ? spawn('taskset', ['-c', cpus, process.execPath, ...args], { env: { PATH: process.env.PATH ?? '', BENCH_LOAD: JSON.stringify(task) }, stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, args, { env: { PATH: process.env.PATH ?? '', BENCH_LOAD: JSON.stringify(task) }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += String(chunk)));
  return new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load client exited ${code}`)))));
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'okmsd-bench-cluster-'));
  const env = { OKMSD_DATA_DIR: join(work, 'data'), OKMSD_ADMIN_TOKEN: TOKEN, OKMSD_LOG_LEVEL: 'info', OKMSD_KMIP_PORT: '0', OKMSD_RATE_LIMIT_PER_CALLER: '1000000', OKMSD_LIFECYCLE_INTERVAL: '0' };
  const cli = join(__dirname, '..', 'src', 'cli', 'main.js');
  const control = await startChild([cli, 'serve', '--plane', 'control'], { ...env, OKMSD_PORT: '0', OKMSD_GATEWAY_PORT: '0' }, /"controlUrl":"([^"]+)"/);
  const controlUrl = control.match[1]!;
  const domain = await json(`${controlUrl}/okms/resource`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'bench' }) });
  const credential = await json(`${controlUrl}/okms/resource/${domain.id}/credential`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'bench', identityURNs: ['urn:v1:eu:identity:account:root'] }) });
  const tls = { cert: credential.certificatePEM, key: credential.privateKeyPEM, ca: domain.restEndpointCA };
  const body = JSON.stringify({ plaintext: Buffer.alloc(256, 7).toString('base64'), context: 'bench' });

  const rows: Array<Array<string | number>> = [];
  let baseline = 0;
  for (const workers of WORKERS) {
    const pinned = TASKSET && CPUS >= workers + 1;
    // One worker is a plain gateway process; more are a cluster, ready once its primary and a worker have spoken.
    const ready = workers === 1 ? /"gatewayUrl":"([^"]+)"/ : /"gatewayUrl":"([^"]+)"[\s\S]*"gateway cluster listening"|"gateway cluster listening"[\s\S]*"gatewayUrl":"([^"]+)"/;
    const gateway = await startChild([cli, 'serve', '--plane', 'gateway', '--workers', String(workers)], { ...env, OKMSD_PORT: '0', OKMSD_GATEWAY_PORT: '0' }, ready);
    const gatewayUrl = (gateway.match[1] ?? gateway.match[2])!;
    if (pinned) execFileSync('sh', ['-c', `for p in ${gateway.child.pid} $(pgrep -P ${gateway.child.pid}); do taskset -a -p -c ${range(0, workers - 1)} $p >/dev/null; done`]);
    const key = await createKey(`${gatewayUrl}/api/${domain.id}/v1/servicekey`, tls, `bench-${workers}`);
    const clientCpus = pinned ? Array.from({ length: CPUS - workers }, (_, i) => workers + i) : [];
    const clients = Math.max(1, pinned ? clientCpus.length : Math.min(CPUS, workers));
    const task = { url: `${gatewayUrl}/api/${domain.id}/v1/servicekey/${key.id}/encrypt`, tls, concurrency: Math.ceil(CONCURRENCY / clients), durationMs: DURATION_MS, warmupMs: WARMUP_MS, body };
    const results = await Promise.all(Array.from({ length: clients }, (_, i) => runClient(pinned ? String(clientCpus[i]) : undefined, task)));
    const rps = results.reduce((sum, r) => sum + r.rps, 0);
    const errors = results.reduce((sum, r) => sum + r.errors, 0);
    const p99 = Math.max(...results.map((r) => r.p99));
    if (workers === WORKERS[0]) baseline = rps;
    rows.push([String(workers), pinned ? `gateways ${range(0, workers - 1)}, clients ${range(workers, CPUS - 1)}` : `unpinned (${CPUS} CPUs)`, String(clients), rps, p99, String(errors), rps / baseline]);
    await gateway.stop();
  }
  await control.stop();
  rmSync(work, { recursive: true, force: true });
  console.log(`\nbench/cluster — encrypt 256 B over kept mTLS connections, c=${CONCURRENCY} in all, ${WARMUP_MS / 1000} s warm-up, ${DURATION_MS / 1000} s measured, ${CPUS} CPUs, Node ${process.version}`);
  console.log(table(['gateway workers', 'placement', 'client processes', 'req/s', 'p99 ms', 'errors', `ratio to ${WORKERS[0]}`], rows));
  console.log('goal: 2 workers >= 1.7x one, with the load client on cores of its own\n');
}

function createKey(url: string, tls: { cert: string; key: string; ca: string }, name: string): Promise<{ id: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: 'POST', ...tls, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => (res.statusCode === 201 ? resolve(JSON.parse(text)) : reject(new Error(text))));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ name, type: 'oct', size: 256, operations: ['encrypt', 'decrypt'] }));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
