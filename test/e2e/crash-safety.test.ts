import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { removeDir, tempDir } from '../helpers/harness';
import { dropTestDatabases, testMongoUri } from '../helpers/mongo-server';

const CLI = join(__dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const TOKEN = 'crash-test-admin-token-0123456789';
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

/** A store under test: the environment that selects it, and every byte of data it holds (for the key search). */
interface StoreUnderTest {
  env(round: number): Record<string, string>;
  contents(round: number, dataDir: string): Promise<Buffer[]>;
}

const embedded: StoreUnderTest = {
  env: () => ({}),
  contents: async (_round, dataDir) => readdirSync(dataDir).filter((f) => f.startsWith('okmsd.sqlite')).map((f) => readFileSync(join(dataDir, f))),
};

const mongoPrefix = `okmsd_crash_${process.pid}_`;
const mongodb: StoreUnderTest = {
  env: (round) => ({ OKMSD_STORE: 'mongodb', OKMSD_MONGODB_URI: testMongoUri(`${mongoPrefix}${round}`) }),
  async contents(round) {
    const client = new MongoClient(testMongoUri(`${mongoPrefix}${round}`));
    try {
      const db = client.db();
      const dumps: Buffer[] = [];
      for (const { name } of await db.listCollections().toArray()) dumps.push(Buffer.from(JSON.stringify(await db.collection(name).find().toArray())));
      return dumps;
    } finally {
      await client.close();
    }
  },
};

async function serve(dataDir: string, storeEnv: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, 'serve'], {
    env: { PATH: process.env.PATH, OKMSD_DATA_DIR: dataDir, OKMSD_PORT: '0', OKMSD_GATEWAY_PORT: '0', OKMSD_KMIP_PORT: '0', OKMSD_ADMIN_TOKEN: TOKEN, ...storeEnv },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`okmsd exited ${code}`)));
    child.stdout!.on('data', (c) => {
      out += String(c);
      const match = /"controlUrl":"([^"]+)"/.exec(out);
      if (match) resolve(match[1]!);
    });
  });
  return { child, url };
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

/**
 * SIGKILL at a random moment during a burst of concurrent creations and revocations, then restart on the same
 * data: every acknowledged creation is there, READY and verifies; every acknowledged revocation holds; nothing
 * is half-written; no server-generated private key is anywhere in the data. Five random kill points.
 */
describe.each([
  ['embedded', embedded],
  ['mongodb', mongodb],
])('crash safety of the %s store (SIGKILL during writes)', (_name, store) => {
  afterAll(() => dropTestDatabases(mongoPrefix));
  it.each([1, 2, 3, 4, 5])('kill point %i', async (round) => {
    const dataDir = tempDir('okmsd-crash-');
    try {
      let node = await serve(dataDir, store.env(round));
      const domain = (await (await fetch(`${node.url}/okms/resource`, { method: 'POST', headers, body: '{"name":"crash"}' })).json()) as { id: string; publicCA: string };
      const base = `${node.url}/okms/resource/${domain.id}/credential`;
      const create = (i: number) =>
        fetch(base, { method: 'POST', headers, body: JSON.stringify({ name: `c${round}-${i}`, identityURNs: ['urn:v1:eu:identity:account:root'] }) })
          .then(async (r) => (r.status === 201 ? ((await r.json()) as { id: string; privateKeyPEM: string }) : undefined))
          .catch(() => undefined);
      const seed = (await Promise.all(Array.from({ length: 20 }, (_, i) => create(i)))).filter(Boolean) as Array<{ id: string; privateKeyPEM: string }>;

      const acknowledgedCreations: Array<{ id: string; privateKeyPEM: string }> = [...seed];
      const acknowledgedRevocations: string[] = [];
      // A revocation may commit and lose its answer to the kill: its credential may then be gone or not.
      const attemptedRevocations = new Set<string>();
      const burst: Array<Promise<unknown>> = [];
      let attempted = 0;
      for (let i = 0; i < 300; i += 1) {
        if (i % 3 === 0 && seed[i / 3]) {
          const id = seed[i / 3]!.id;
          attemptedRevocations.add(id);
          burst.push(fetch(`${base}/${id}`, { method: 'DELETE', headers }).then((r) => r.status === 204 && acknowledgedRevocations.push(id)).catch(() => undefined));
        } else {
          attempted += 1;
          burst.push(create(100 + i).then((c) => c && acknowledgedCreations.push(c)));
        }
      }
      // The kill lands while writes are in flight: after the burst's first answer, at a random moment.
      await Promise.race(burst);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 300)));
      await killed(node.child);
      await Promise.all(burst);
      if (process.env.CRASH_DEBUG) console.log(`round ${round}: ${acknowledgedCreations.length - seed.length} of ${attempted} creations and ${acknowledgedRevocations.length} of ${seed.length} revocations acknowledged before the kill`);

      node = await serve(dataDir, store.env(round));
      try {
        const list = (await (await fetch(`${base.replace(/^http:\/\/[^/]+/, node.url)}?limit=1000`, { headers })).json()) as Array<{ id: string; status: string; certificatePEM: string }>;
        const listed = new Map(list.map((c) => [c.id, c]));
        const ca = new X509Certificate(domain.publicCA);
        for (const c of list) {
          expect(c.status).toBe('READY'); // nothing half-written
          expect(new X509Certificate(c.certificatePEM).verify(ca.publicKey)).toBe(true);
        }
        for (const c of acknowledgedCreations) {
          if (!attemptedRevocations.has(c.id)) expect({ id: c.id, present: listed.has(c.id) }).toEqual({ id: c.id, present: true });
        }
        for (const id of acknowledgedRevocations) expect({ id, present: listed.has(id) }).toEqual({ id, present: false });
        // Every acknowledged issuance and revocation has its audit record, naming the credential (and serial).
        const records: Array<{ action: string; status: number; objectId?: string; serial?: string; objectIdentities?: string[] }> = [];
        for (let after = 0; ; ) {
          const page = (await (await fetch(`${node.url}/audit?after=${after}&limit=1000`, { headers })).json()) as Array<{ seq: number; record: (typeof records)[number] }>;
          records.push(...page.map((e) => e.record));
          if (page.length < 1000) break;
          after = page[page.length - 1]!.seq;
        }
        const issued = new Map(records.filter((r) => r.action === 'POST /okms/resource/:okmsId/credential' && r.status === 201).map((r) => [r.objectId, r]));
        for (const c of acknowledgedCreations) {
          expect({ id: c.id, audited: issued.has(c.id) }).toEqual({ id: c.id, audited: true });
          expect(issued.get(c.id)).toMatchObject({ serial: expect.stringMatching(/^[0-9a-f]+$/), objectIdentities: ['urn:v1:eu:identity:account:root'] });
        }
        const revoked = new Set(records.filter((r) => r.action === 'DELETE /okms/resource/:okmsId/credential/:credentialId' && r.status === 204 && r.serial).map((r) => r.objectId));
        for (const id of acknowledgedRevocations) expect({ id, audited: revoked.has(id) }).toEqual({ id, audited: true });
      } finally {
        await killed(node.child);
      }
      const files = await store.contents(round, dataDir);
      expect(files.length).toBeGreaterThan(0);
      for (const c of acknowledgedCreations) {
        const keyBody = Buffer.from(c.privateKeyPEM.split('\n')[1]!);
        for (const content of files) expect(content.includes(keyBody)).toBe(false);
      }
      expect(acknowledgedCreations.length).toBeGreaterThan(seed.length - 1);
    } finally {
      removeDir(dataDir);
    }
  });
});
