/**
 * bench/scale: for each store (embedded SQLite, then MongoDB: BENCH_MONGODB_URI, else a FerretDB started on
 * loopback as the tests do), seeds 1,000,000 credentials into one domain (bulk path, progress on the terminal) and
 * measures, at 10,000 and at 1,000,000 records: the first page, a page deep in the list (keyset
 * cursor), a get by id, and the gateway's revocation check (revocation set + record by serial). Then it walks the
 * whole list through `okmsd serve` over HTTP and reports the service's peak RSS. Then every other list of the same
 * project at the same two sizes (bench/lib/scale-kinds.ts: Barbican secrets, containers, orders with their total,
 * Secret Manager paths, service keys; BENCH_SCALE_KINDS=0 skips it). Not a test: nothing asserts.
 * BENCH_SCALE_RECORDS lowers the count for a quick run; BENCH_SCALE_STORES=embedded (or mongodb) runs one store.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RevocationSet } from '../src/ca/revocation-set';
import type { CredentialRecord } from '../src/domain/types';
import { openEmbeddedStore } from '../src/storage/embedded/embedded-store';
import { openMongoStore } from '../src/storage/mongo/mongo-store';
import { startMongoServer, type StartedMongoServer } from '../tools/mongo-server';
import type { Store } from '../src/storage/store';
import { startChild } from './lib/child';
import { measureKinds } from './lib/scale-kinds';
import { table } from './lib/measure';

const SMALL = 10_000;
/** How long one measurement or the walk may take: FerretDB sorts in memory, so a page there costs O(records). */
const MEASURE_BUDGET_MS = 3000;
const WALK_BUDGET_MS = Number(process.env.BENCH_SCALE_WALK_SECONDS ?? 120) * 1000;
const BATCH = 10_000;
const TOKEN = 'bench-admin-token-0123456789';

/** Mean µs per call over `rounds` calls, or fewer (at least 3) when the time budget runs out first. */
async function micros(rounds: number, work: (i: number) => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  let done = 0;
  while (done < rounds && (done < 3 || Number(process.hrtime.bigint() - started) / 1e6 < MEASURE_BUDGET_MS)) await work(done++);
  return Number(process.hrtime.bigint() - started) / 1000 / done;
}

async function measure(store: Store, revocations: RevocationSet, domainId: string, seeded: CredentialRecord[]): Promise<number[]> {
  const middle = seeded[Math.floor(seeded.length / 2)]!;
  return [
    await micros(200, () => store.credentials.list(domainId, { limit: 100 })),
    await micros(200, () => store.credentials.list(domainId, { limit: 100, after: { createdAt: middle.createdAt, id: middle.id } })),
    await micros(2000, (i) => store.credentials.get(domainId, seeded[(i * 7919) % seeded.length]!.id)),
    await micros(2000, async (i) => {
      const record = seeded[(i * 7919) % seeded.length]!;
      return revocations.isRevoked(domainId, record.serial) || store.credentials.getBySerial(domainId, record.serial);
    }),
  ];
}

interface StoreUnderBench {
  readonly name: string;
  readonly records: number;
  readonly env: Record<string, string>;
  open(dataDir: string): Promise<Store>;
}

async function scale(kind: StoreUnderBench): Promise<void> {
  const TOTAL = kind.records;
  const SMALL_N = Math.min(SMALL, TOTAL);
  const work = mkdtempSync(join(tmpdir(), 'okmsd-bench-scale-'));
  const dataDir = join(work, 'data');
  const serveEnv = { OKMSD_DATA_DIR: dataDir, OKMSD_PORT: '0', OKMSD_GATEWAY_PORT: '0', OKMSD_KMIP_PORT: '0', OKMSD_ADMIN_TOKEN: TOKEN, ...kind.env };
  // A real service makes the domain (its CA and the master key), so that the walk below runs against okmsd as it is.
  const first = await startChild([join(__dirname, '..', 'src', 'cli', 'main.js'), 'serve'], serveEnv, /"controlUrl":"([^"]+)"/);
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  const domain = (await (await fetch(`${first.match[1]}/okms/resource`, { method: 'POST', headers, body: '{"name":"scale"}' })).json()) as { id: string };
  const template = (await (await fetch(`${first.match[1]}/okms/resource/${domain.id}/credential`, { method: 'POST', headers, body: JSON.stringify({ name: 'template', identityURNs: ['urn:v1:eu:identity:account:root'] }) })).json()) as CredentialRecord;
  await first.stop();

  const store = await kind.open(dataDir);
  const revocations = new RevocationSet(store);
  await revocations.start();
  const seeded: CredentialRecord[] = [];
  const started = Date.now();
  const seed = async (upTo: number) => {
    while (seeded.length < upTo) {
      const batch: CredentialRecord[] = [];
      for (let i = 0; i < Math.min(BATCH, upTo - seeded.length); i += 1) {
        const at = new Date(Date.UTC(2026, 0, 1) + seeded.length + i).toISOString();
        batch.push({ ...template, id: randomUUID(), domainId: domain.id, accountId: 'root', name: `seed-${seeded.length + i}`, serial: randomBytes(16).toString('hex'), createdAt: at, updatedAt: at, version: 1 });
      }
      await store.credentials.createMany(batch);
      seeded.push(...batch);
      const rate = Math.round(seeded.length / ((Date.now() - started) / 1000));
      process.stderr.write(`\rseeding ${seeded.length.toLocaleString('en')} / ${TOTAL.toLocaleString('en')} credentials (${rate.toLocaleString('en')}/s)   `);
    }
  };
  await seed(SMALL_N);
  const small = await measure(store, revocations, domain.id, seeded);
  await seed(TOTAL);
  process.stderr.write('\n');
  const large = await measure(store, revocations, domain.id, seeded);
  const kinds = process.env.BENCH_SCALE_KINDS === '0' ? [] : await measureKinds(store, domain.id, SMALL_N, TOTAL, (line) => process.stderr.write(`\r${line}   `));
  process.stderr.write('\n');
  revocations.stop();
  await store.close();

  // Walk every page through the real service and watch its peak resident memory.
  const served = await startChild([join(__dirname, '..', 'src', 'cli', 'main.js'), 'serve'], { ...serveEnv, OKMSD_LOG_LEVEL: 'info' }, /"controlUrl":"([^"]+)"/);
  let cursor: string | null = null;
  let walked = 0;
  const walkStarted = Date.now();
  do {
    if (Date.now() - walkStarted > WALK_BUDGET_MS) break;
    const response: Response = await fetch(`${served.match[1]}/okms/resource/${domain.id}/credential?limit=1000${cursor ? `&cursor=${cursor}` : ''}`, { headers });
    walked += ((await response.json()) as unknown[]).length;
    cursor = response.headers.get('x-pagination-cursor-next');
    if (walked % 50_000 < 1000) process.stderr.write(`\rwalking the list: ${walked.toLocaleString('en')}   `);
  } while (cursor);
  process.stderr.write('\n');
  const status = readFileSync(`/proc/${served.child.pid}/status`, 'utf8');
  const peakMb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  await served.stop();
  rmSync(work, { recursive: true, force: true });

  const labels = ['list: first page (100)', 'list: deep page (keyset, 100)', 'get by id', 'gateway revocation check'];
  console.log(`\nbench/scale — ${kind.name} store, µs per operation at ${SMALL_N.toLocaleString("en")} and ${TOTAL.toLocaleString("en")} records (credentials, then each other kind)`);
  const rows = [...labels.map((label, i) => [label, small[i]!, large[i]!]), ...kinds] as Array<[string, number, number]>;
  console.log(table(['operation', `${SMALL_N.toLocaleString('en')}`, `${TOTAL.toLocaleString('en')}`, 'ratio'], rows.map(([label, a, b]) => [label, a, b, b / a])));
  console.log(`walked ${walked.toLocaleString('en')} of ${TOTAL.toLocaleString('en')} credentials over HTTP in ${((Date.now() - walkStarted) / 1000).toFixed(1)} s; okmsd peak RSS ${peakMb.toFixed(0)} MB`);
  console.log('goals: each operation within 2x of its 10k figure; peak RSS < 300 MB\n');
}

async function main(): Promise<void> {
  const wanted = (process.env.BENCH_SCALE_STORES ?? 'embedded,mongodb').split(',');
  const records = Number(process.env.BENCH_SCALE_RECORDS ?? 1_000_000);
  if (wanted.includes('embedded')) await scale({ name: 'embedded', records, env: {}, open: async (dataDir) => openEmbeddedStore(dataDir) });
  if (wanted.includes('mongodb')) {
    let server: StartedMongoServer | undefined;
    const base = process.env.BENCH_MONGODB_URI ?? (server = await startMongoServer()).uri;
    const uri = new URL(base);
    uri.pathname = `/okmsd_bench_scale_${Date.now()}`;
    try {
      const env = { OKMSD_STORE: 'mongodb', OKMSD_MONGODB_URI: uri.toString(), OKMSD_MASTER_KEY: randomBytes(32).toString('base64') };
      // FerretDB fetches and sorts every matching document for each page (no sort pushdown in v1.24), so against
      // it the default is 100,000 records; a real MongoDB (BENCH_MONGODB_URI) gets the full million.
      const mongoRecords = Number(process.env.BENCH_SCALE_MONGODB_RECORDS ?? (server ? Math.min(records, 100_000) : records));
      await scale({ name: `mongodb (${server?.description ?? base})`, records: mongoRecords, env, open: () => openMongoStore(uri.toString()) });
    } finally {
      await server?.stop();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
