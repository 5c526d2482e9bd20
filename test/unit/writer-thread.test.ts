import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { WriterThread, type WriteStep } from '../../src/storage/embedded/writer-thread';

const insert = (id: string): WriteStep => ({ sql: 'INSERT INTO t (id) VALUES (?)', params: [id], mode: 'run' });

describe('WriterThread (group commit on a worker thread)', () => {
  let dir: string;
  let file: string;
  let reader: Database.Database;
  let writer: WriterThread;
  const ids = () => (reader.prepare('SELECT id FROM t ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'okmsd-writer-'));
    file = join(dir, 'db.sqlite');
    const setup = new Database(file);
    setup.pragma('journal_mode = WAL');
    setup.exec('CREATE TABLE t (id TEXT PRIMARY KEY); CREATE TABLE log (n INTEGER); CREATE TABLE audit (seq INTEGER PRIMARY KEY, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, record TEXT NOT NULL)');
    setup.close();
    reader = new Database(file, { readonly: true });
    writer = new WriterThread(file, { deferSyncMs: 20 });
  });
  afterEach(async () => {
    await writer.close();
    reader.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('settles each write after its commit, visible to another connection, failing only the bad one', async () => {
    const results = await Promise.allSettled([writer.write([insert('a')]), writer.write([insert('b')]), writer.write([insert('a')]), writer.write([insert('c')])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect((results[0] as PromiseFulfilledResult<unknown[]>).value).toEqual([1]);
    expect(ids()).toEqual(['a', 'b', 'c']);
  });

  it('commits the writes of one turn together: none is visible before all are committed', async () => {
    // The second write fails on purpose after the first one's insert; the first still commits, in the same batch.
    const first = writer.write([insert('x')]);
    const second = writer.write([insert('y'), insert('x')]); // its own savepoint rolls back 'y'
    expect(ids()).toEqual([]); // nothing committed yet: the batch has not even left this thread
    await expect(first).resolves.toEqual([1]);
    await expect(second).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect(ids()).toEqual(['x']);
  });

  it('runs a conditional step only when the previous one returned a row', async () => {
    await writer.write([insert('k')]);
    const hit = await writer.write([
      { sql: 'DELETE FROM t WHERE id = ? RETURNING id', params: ['k'], mode: 'get' },
      { sql: 'INSERT INTO log (n) VALUES (1)', params: [], mode: 'run', onlyIfPrevious: true },
    ]);
    const miss = await writer.write([
      { sql: 'DELETE FROM t WHERE id = ? RETURNING id', params: ['nothing'], mode: 'get' },
      { sql: 'INSERT INTO log (n) VALUES (1)', params: [], mode: 'run', onlyIfPrevious: true },
    ]);
    expect(hit).toEqual([{ id: 'k' }, 1]);
    expect(miss).toEqual([undefined, undefined]);
    expect(reader.prepare('SELECT COUNT(*) AS n FROM log').get()).toEqual({ n: 1 });
  });

  it('links chain records in arrival order across batches, deferred or not, each visible once its promise settles', async () => {
    const first = await Promise.all([writer.appendToChain('{"n":1}', true), writer.appendToChain('{"n":2}'), writer.write([insert('between')]), writer.appendToChain('{"n":3}', true)]);
    const visible = reader.prepare('SELECT seq, prev_hash AS prevHash, hash, record FROM audit ORDER BY seq').all();
    expect(visible).toEqual([first[0], first[1], first[3]]);
    expect(first.map((r) => (Array.isArray(r) ? 'write' : (r as { seq: number }).seq))).toEqual([1, 2, 'write', 3]);
    const later = await writer.appendToChain('{"n":4}', true);
    expect(later).toMatchObject({ seq: 4, prevHash: first[3] && (first[3] as { hash: string }).hash });
    expect(reader.prepare('SELECT COUNT(*) AS n FROM audit').get()).toEqual({ n: 4 });
    await new Promise((resolve) => setTimeout(resolve, 60)); // the deferred sync runs on its timer; nothing breaks
    expect(ids()).toEqual(['between']);
  });

  it('keeps the WAL under 2 MB (checkpoints every 100 pages) and fills the database file while the writer never pauses', async () => {
    const record = JSON.stringify({ padding: 'x'.repeat(900) });
    const target = Math.ceil((24 * 1024 * 1024) / record.length); // more than the WAL may hold: it must start over
    let sent = 0;
    const workers = Array.from({ length: 20 }, async () => {
      while (sent < target) {
        sent += 1;
        await writer.appendToChain(record, true);
      }
    });
    let largestWal = 0;
    const walSize = () => statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
    const sampler = setInterval(() => (largestWal = Math.max(largestWal, walSize())), 20);
    await Promise.all(workers);
    clearInterval(sampler);
    largestWal = Math.max(largestWal, walSize());
    expect((reader.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n).toBe(target);
    expect(largestWal).toBeLessThan(2 * 1024 * 1024);
    expect(statSync(file).size).toBeGreaterThan((target * record.length) / 2); // the records reached the database file
  }, 60_000);

  it('close settles every deferred record and leaves it in the file, at any point of the 20 ms sync timer', async () => {
    for (const pause of [0, 21, 40]) {
      const records = Array.from({ length: 50 }, (_, i) => writer.appendToChain(JSON.stringify({ pause, i }), true));
      await Promise.all(records);
      await new Promise((resolve) => setTimeout(resolve, pause)); // the sync timer (20 ms) has not fired / just fired / done
      const next = writer.appendToChain('{"last":true}', true);
      await writer.close();
      await expect(next).resolves.toMatchObject({ record: '{"last":true}' });
      writer = new WriterThread(file, { deferSyncMs: 20 });
    }
    expect(reader.prepare('SELECT COUNT(*) AS n FROM audit').get()).toEqual({ n: 153 });
  });

  it('close waits for queued writes, then refuses new ones', async () => {
    const queued = writer.write([insert('last')]);
    await writer.close();
    await expect(queued).resolves.toEqual([1]);
    expect(ids()).toEqual(['last']);
    await expect(writer.write([insert('late')])).rejects.toThrow('closed');
  });
});
