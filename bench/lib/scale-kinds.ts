import { randomUUID } from 'node:crypto';
import type { ObjectKind, ObjectRecordOf, SecretPathRecord, ServiceKeyRecord } from '../../src/domain/records';
import type { Store } from '../../src/storage/store';

/** Records written at once while seeding (each store groups them into few commits). */
const BATCH = 2_000;
const MEASURE_BUDGET_MS = 3000;

async function micros(rounds: number, work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  let done = 0;
  while (done < rounds && (done < 3 || Number(process.hrtime.bigint() - started) / 1e6 < MEASURE_BUDGET_MS)) (await work(), (done += 1));
  return Number(process.hrtime.bigint() - started) / 1000 / done;
}

const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i).toISOString();

function object<K extends 'secret' | 'container' | 'order'>(kind: K, domainId: string, i: number): ObjectRecordOf<K> {
  const docs = {
    secret: { algorithm: 'aes', bitLength: 256, mode: 'cbc', creatorId: 'bench', metadata: {}, payload: '{"wrapped":"seed"}' },
    container: { creatorId: 'bench', secretRefs: [], consumers: [] },
    order: { status: 'ACTIVE', meta: { name: `seed-${i}` }, creatorId: 'bench' },
  } as const;
  // One in a hundred secrets has expired (on 2026-01-01): the total Barbican returns leaves them out.
  const expiresAt = kind === 'secret' && i % 100 === 0 ? at(0) : null;
  return { kind, id: randomUUID(), domainId, name: `seed-${i}`, type: kind === 'secret' ? 'opaque' : kind === 'container' ? 'generic' : 'key', expiresAt, notAfter: null, doc: docs[kind] as never, createdAt: at(i), updatedAt: at(i), version: 1 };
}

const serviceKey = (domainId: string, i: number): ServiceKeyRecord => ({
  domainId, id: randomUUID(), name: `seed-${i}`, type: 'oct', size: 256, curve: null, operations: ['encrypt', 'decrypt'], context: '', state: 'active', deactivationReason: null,
  keyClass: 'SECRET_KEY', extractable: false, neverExtractable: true, wrappedMaterial: '{"wrapped":"seed"}', publicKey: null, createdAt: at(i), updatedAt: at(i), activatedAt: at(i), deactivatedAt: null, version: 1,
});

const secretPath = (domainId: string, i: number): SecretPathRecord => ({
  domainId, path: `app/${String(i).padStart(8, '0')}/db`, casRequired: null, customMetadata: {}, deactivateVersionAfter: null, maxVersions: null, currentVersion: 1,
  versions: [{ id: 1, state: 'active', createdAt: at(i), deactivatedAt: null, data: '{"wrapped":"seed"}', bytes: 16 }], createdAt: at(i), updatedAt: at(i), version: 1,
});

interface Kind {
  readonly label: string;
  seed(i: number): Promise<void>;
  /** The list call a client makes for the first page, and what it checks. */
  firstPage(): Promise<unknown>;
}

/**
 * Every other list of one project at two sizes: Barbican secrets, containers and orders (first page of 10 with the
 * total Barbican returns), Secret Manager paths (first page of 100 under a prefix) and service keys (first page of
 * 100). Returns µs per call at `small` and at `total` records of each kind.
 */
export async function measureKinds(store: Store, domainId: string, small: number, total: number, progress: (line: string) => void): Promise<Array<[string, number, number]>> {
  const barbican = (kind: 'secret' | 'container' | 'order'): Kind => ({
    label: `Barbican ${kind}s: first page (10) + total`,
    seed: (i) => store.objects.create(object(kind, domainId, i)),
    firstPage: async () => {
      // As Barbican lists: only what is live now (the seeded expiries lie on a past day).
      const page = await store.objects.list(domainId, kind as ObjectKind, { offset: 0, limit: 10, ...(kind === 'secret' ? { liveAt: new Date().toISOString() } : {}) });
      if (page.items.length !== 10) throw new Error(`${kind}: a short page`);
      return page.total;
    },
  });
  const kinds: Kind[] = [
    barbican('secret'),
    barbican('container'),
    barbican('order'),
    { label: 'Secret Manager paths: first page (100)', seed: (i) => store.secretPaths.create(secretPath(domainId, i)), firstPage: () => store.secretPaths.list(domainId, { prefix: 'app/', limit: 100 }) },
    { label: 'service keys: first page (100)', seed: (i) => store.serviceKeys.create(serviceKey(domainId, i)), firstPage: () => store.serviceKeys.list(domainId, { limit: 100 }) },
  ];
  const rows: Array<[string, number, number]> = [];
  const totals: Array<[string, unknown, unknown]> = [];
  for (const kind of kinds) {
    let seeded = 0;
    const started = Date.now();
    const seedTo = async (n: number) => {
      while (seeded < n) {
        const batch = Math.min(BATCH, n - seeded);
        await Promise.all(Array.from({ length: batch }, (_, j) => kind.seed(seeded + j)));
        seeded += batch;
        progress(`seeding ${kind.label.split(':')[0]}: ${seeded.toLocaleString('en')} / ${total.toLocaleString('en')} (${Math.round(seeded / ((Date.now() - started) / 1000)).toLocaleString('en')}/s)`);
      }
    };
    await seedTo(small);
    const smallTotal = await kind.firstPage();
    const atSmall = await micros(200, kind.firstPage);
    await seedTo(total);
    const largeTotal = await kind.firstPage();
    const atLarge = await micros(200, kind.firstPage);
    rows.push([kind.label, atSmall, atLarge]);
    if (typeof smallTotal === 'number') totals.push([kind.label, smallTotal, largeTotal]);
  }
  for (const [label, a, b] of totals) progress(`${label}: total ${String(a)} then ${String(b)}\n`);
  return rows;
}
