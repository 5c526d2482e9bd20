import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CHECKPOINT_META_KEY } from '../../src/audit/audit-log';
import { createDomain, startTestOkmsd, type TestOkmsd } from '../helpers/harness';

/**
 * Retention: `POST /audit/prune` removes the records made before a time and leaves a signed checkpoint from which
 * verify proves the rest; an edited checkpoint or an edited record after it is caught. Clock injected.
 */
describe('audit pruning with a signed checkpoint', () => {
  let now = Date.parse('2026-03-01T00:00:00.000Z');
  let t: TestOkmsd;
  beforeAll(async () => {
    t = await startTestOkmsd({ clock: () => new Date(now) });
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('prunes the old records, keeps the rest provable, and refuses what would break the proof', async () => {
    for (let i = 0; i < 5; i += 1) await createDomain(t, `old-${i}`);
    now += 86_400_000;
    for (let i = 0; i < 3; i += 1) await createDomain(t, `new-${i}`);
    expect((await t.api('POST', '/audit/verify')).json).toMatchObject({ intact: true, entries: 8 });

    expect((await t.api('POST', '/audit/prune', { body: { before: new Date(now + 3_600_000).toISOString() } })).json).toMatchObject({ code: 'ERR_VALIDATION', field: 'before' });
    const pruned = await t.api('POST', '/audit/prune', { body: { before: new Date(now - 3_600_000).toISOString() } });
    expect(pruned.status).toBe(200);
    expect(pruned.json).toMatchObject({ pruned: 5, checkpoint: { seq: 5, time: '2026-03-01T00:00:00.000Z' } });
    expect(pruned.text).not.toContain('mac');

    // Everything after the checkpoint remains: the new domains, the verify and prune calls themselves.
    const remaining = (await t.okmsd.store.audit.last())!.seq - 5;
    expect(remaining).toBeGreaterThanOrEqual(3);
    const after = (await t.api('POST', '/audit/verify')).json;
    expect(after).toMatchObject({ intact: true, entries: remaining, checkpoint: { seq: 5 } });
    expect((await t.okmsd.store.audit.list(0, 100)).map((e) => e.seq)[0]).toBe(6);
    // Pruning again with the same cut-off finds nothing more; the record of the prune names the checkpoint.
    expect((await t.api('POST', '/audit/prune', { body: { before: new Date(now - 3_600_000).toISOString() } })).json).toMatchObject({ pruned: 0 });
    const records = (await t.api('GET', '/audit?limit=100')).json.map((e: any) => e.record);
    expect(records).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'POST /audit/prune', objectId: '5', status: 200 })]));

    // An edited checkpoint (moved forward to hide entries) is caught, and pruning stops.
    const stored = JSON.parse((await t.okmsd.store.meta.get(CHECKPOINT_META_KEY))!);
    await t.okmsd.store.meta.put(CHECKPOINT_META_KEY, JSON.stringify({ ...stored, seq: stored.seq + 1 }));
    expect((await t.api('POST', '/audit/verify')).json).toMatchObject({ intact: false, firstBroken: { problem: expect.stringContaining('checkpoint') } });
    expect((await t.api('POST', '/audit/prune', { body: { before: new Date(now).toISOString() } })).status).toBe(409);
    await t.okmsd.store.meta.put(CHECKPOINT_META_KEY, JSON.stringify(stored));
    expect((await t.api('POST', '/audit/verify')).json).toMatchObject({ intact: true });

    // An edited record right after the checkpoint breaks the first link verify checks.
    const db = new Database(join(t.dataDir, 'okmsd.sqlite'));
    const first = db.prepare('SELECT seq, record FROM audit ORDER BY seq LIMIT 1').get() as { seq: number; record: string };
    db.prepare('UPDATE audit SET record = ? WHERE seq = ?').run(first.record.replace('"status":201', '"status":200'), first.seq);
    db.close();
    expect((await t.api('POST', '/audit/verify')).json).toMatchObject({ intact: false, firstBroken: { seq: first.seq, problem: 'hash does not match the record' } });
  });

  it('is for the root account only', async () => {
    const tenant = (await t.api('POST', '/account', { body: { id: 'prune-tenant' } })).json.token;
    expect((await t.api('POST', '/audit/prune', { token: tenant, body: { before: '2026-01-01T00:00:00Z' } })).status).toBe(403);
  });
});
