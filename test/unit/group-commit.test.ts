import Database from 'better-sqlite3';
import { GroupCommit } from '../../src/storage/embedded/group-commit';

function database() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id TEXT PRIMARY KEY)');
  return db;
}

describe('GroupCommit', () => {
  it('commits the writes of one event-loop turn in one transaction, failing only the bad one', async () => {
    const db = database();
    const commits = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO t (id) VALUES (?)');
    let transactions = 0;
    const original = db.transaction.bind(db);
    (db as unknown as { transaction: typeof db.transaction }).transaction = ((fn: (...a: unknown[]) => unknown) => {
      const wrapped = original(fn);
      return Object.assign((...args: unknown[]) => {
        if (!db.inTransaction) transactions += 1;
        return wrapped(...args);
      }, wrapped);
    }) as typeof db.transaction;
    const results = await Promise.allSettled([
      commits.write(() => insert.run('a')),
      commits.write(() => insert.run('b')),
      commits.write(() => insert.run('a')), // duplicate: fails alone
      commits.write(() => insert.run('c')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(transactions).toBe(1);
    expect((db.prepare('SELECT id FROM t ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });

  it('rolls back every statement of a failing write (savepoint), keeping the others', async () => {
    const db = database();
    const commits = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO t (id) VALUES (?)');
    const results = await Promise.allSettled([
      commits.write(() => {
        insert.run('x');
        insert.run('x'); // second statement fails: the first must not survive
      }),
      commits.write(() => insert.run('y')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled']);
    expect((db.prepare('SELECT id FROM t ORDER BY id').all() as Array<{ id: string }>).map((r) => r.id)).toEqual(['y']);
  });

  it('settles nothing before the commit', async () => {
    const db = database();
    const commits = new GroupCommit(db);
    let settled = false;
    const pending = commits.write(() => db.prepare("INSERT INTO t (id) VALUES ('z')").run()).then(() => (settled = true));
    expect(settled).toBe(false);
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 0 });
    await pending;
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 1 });
  });
});
