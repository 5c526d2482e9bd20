/**
 * bench/rsa-burst: the latency of a burst of 50 RSA-2048 credentials (server key) sent at once over HTTP, p50 and
 * p99, in two configurations of `okmsd serve` in one run:
 *   before — no reserve, one generation at a time (the former default on this machine: cores − 1 on the thread pool);
 *   after  — the defaults: a worker thread per core and a reserve of 64 pregenerated keys, filled before the burst.
 * Then a second burst right after the first, which finds the reserve partly refilled. Not a test: nothing asserts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild } from './lib/child';
import { table } from './lib/measure';

const BURST = 50;
const TOKEN = 'bench-admin-token-0123456789';
const admin = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function reserveLevel(controlUrl: string): Promise<number> {
  const text = await (await fetch(`${controlUrl}/metrics`, { headers: admin })).text();
  return Number(/okmsd_rsa_key_reserve\{level="available"\} (\d+)/.exec(text)?.[1] ?? 0);
}

async function burst(url: string, label: string, size = BURST): Promise<{ p50: number; p99: number; max: number; wall: number }> {
  const started = performance.now();
  const latencies = await Promise.all(
    Array.from({ length: size }, async (_, i) => {
      const t = performance.now();
      const response = await fetch(url, { method: 'POST', headers: admin, body: JSON.stringify({ name: `${label}-${i}`, identityURNs: ['urn:v1:eu:identity:account:root'], certificateType: 'RSA' }) });
      if (response.status !== 201) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
      return performance.now() - t;
    }),
  );
  const wall = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1]!, wall };
}

async function measure(label: string, env: Record<string, string>, reserve: number): Promise<Array<Array<string | number>>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'okmsd-bench-rsa-'));
  const okmsd = await startChild(
    [join(__dirname, '..', 'src', 'cli', 'main.js'), 'serve'],
    { OKMSD_DATA_DIR: dataDir, OKMSD_PORT: '0', OKMSD_GATEWAY_PORT: '0', OKMSD_KMIP_PORT: '0', OKMSD_ADMIN_TOKEN: TOKEN, OKMSD_LOG_LEVEL: 'info', ...env },
    /"controlUrl":"([^"]+)"/,
  );
  try {
    const controlUrl = okmsd.match[1]!;
    const domain = (await (await fetch(`${controlUrl}/okms/resource`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'bench' }) })).json()) as { id: string };
    const url = `${controlUrl}/okms/resource/${domain.id}/credential`;
    // One RSA credential first (it starts the reserve), then wait until the reserve is full: a service that has been up a while.
    await burst(url, 'warm', 1);
    while ((await reserveLevel(controlUrl)) < reserve) await new Promise((resolve) => setTimeout(resolve, 100));
    const first = await burst(url, 'first');
    const second = await burst(url, 'second');
    return [
      [`${label}: first burst`, first.p50, first.p99, first.max, first.wall],
      [`${label}: next burst at once`, second.p50, second.p99, second.max, second.wall],
    ];
  } finally {
    await okmsd.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const cores = availableParallelism();
  const rows = [
    ...(await measure('before: no reserve, 1 generation at a time', { OKMSD_RSA_KEY_RESERVE: '0', OKMSD_RSA_KEYGEN_CONCURRENCY: String(Math.max(1, cores - 1)) }, 0)),
    ...(await measure(`after: ${cores} threads, reserve 64`, {}, 64)),
  ];
  console.log(`\nbench/rsa-burst — ${BURST} RSA-2048 credentials sent at once over HTTP, ms, ${cores} cores, Node ${process.version}`);
  console.log(table(['configuration', 'p50 ms', 'p99 ms', 'max ms', 'burst wall ms'], rows));
  console.log('');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
