import { GROUP, POLICY, SERVICE_ACCOUNT, USER } from '../../src/iam/iam-entities';
import { SNAPSHOT_MAX_AGE_MS } from '../../src/iam/iam-service';
import { openServices, type ServiceSet } from '../helpers/services';

let s: ServiceSet;
const urn = (kind: string, name?: string) => (name ? `urn:v1:eu:identity:${kind}:acme/${name}` : `urn:v1:eu:identity:${kind}:acme`);

beforeAll(async () => {
  s = await openServices();
  await s.iam.create(s.account, USER, { login: 'alice', group: 'ops' });
  await s.iam.create(s.account, USER, { login: 'bob' });
  await s.iam.create(s.account, SERVICE_ACCOUNT, { id: 'robot', name: 'robot' });
  await s.iam.create(s.account, GROUP, { name: 'ops', members: [urn('credential', 'robot')] });
  await s.iam.create(s.account, GROUP, { name: 'readers', members: [urn('user', 'bob')] });
});
afterAll(() => s.close());

describe('identity resolution', () => {
  it('keeps the identities that exist and adds the groups that list them or that a user names', async () => {
    const resolved = await s.iam.resolveIdentities('acme', [urn('user', 'alice'), urn('user', 'bob'), urn('credential', 'robot')]);
    expect([...resolved.effective].sort()).toEqual([urn('credential', 'robot'), urn('group', 'ops'), urn('group', 'readers'), urn('user', 'alice'), urn('user', 'bob')].sort());
    expect(resolved.ignored).toEqual([]);
  });

  it('ignores, with a reason, what does not exist, another account or region, and what is no identity URN', async () => {
    const resolved = await s.iam.resolveIdentities('acme', [urn('user', 'mallory'), 'urn:v1:eu:identity:user:globex/alice', 'urn:v1:ca:identity:user:acme/alice', 'not-a-urn', urn('account')]);
    expect(resolved.effective).toEqual([urn('account')]);
    expect(resolved.ignored).toEqual([
      { urn: urn('user', 'mallory'), reason: 'no such user' },
      { urn: 'urn:v1:eu:identity:user:globex/alice', reason: 'another account or region' },
      { urn: 'urn:v1:ca:identity:user:acme/alice', reason: 'another account or region' },
      { urn: 'not-a-urn', reason: 'not an identity URN' },
    ]);
  });

  it('binds each named identity to its uid, and refuses one that does not exist naming the field', async () => {
    const bindings = await s.iam.bindIdentities('acme', [urn('account'), urn('user', 'alice'), urn('group', 'ops')], 'identityURNs');
    expect(Object.keys(bindings)).toEqual([urn('user', 'alice'), urn('group', 'ops')]);
    await expect(s.iam.bindIdentities('acme', [urn('user', 'alice'), urn('group', 'nobody')], 'identityURNs')).rejects.toMatchObject({ code: 'ERR_VALIDATION', field: 'identityURNs[1]' });
  });

  it('a user deleted and re-created under the same login never speaks for a credential bound to the old one', async () => {
    await s.iam.create(s.account, USER, { login: 'carol' });
    const bindings = await s.iam.bindIdentities('acme', [urn('user', 'carol')], 'identityURNs');
    expect((await s.iam.resolveIdentities('acme', [urn('user', 'carol')], bindings)).effective).toEqual([urn('user', 'carol')]);
    await s.iam.delete(s.account, USER, 'carol');
    expect((await s.iam.resolveIdentities('acme', [urn('user', 'carol')], bindings)).ignored).toEqual([{ urn: urn('user', 'carol'), reason: 'no such user' }]);
    await s.iam.create(s.account, USER, { login: 'carol' });
    const again = await s.iam.resolveIdentities('acme', [urn('user', 'carol')], bindings);
    expect(again).toEqual({ effective: [], ignored: [{ urn: urn('user', 'carol'), reason: 'the user was deleted and re-created since this credential was issued' }] });
    // Without bindings (credentials issued before they existed) the name alone still counts.
    expect((await s.iam.resolveIdentities('acme', [urn('user', 'carol')])).effective).toEqual([urn('user', 'carol')]);
  });

  it("sees a change another node wrote to the store once the snapshot's bound has passed, on the injected clock", async () => {
    const dave = urn('user', 'dave');
    expect((await s.iam.resolveIdentities('acme', [dave])).effective).toEqual([]);
    const now = s.clock.now().toISOString();
    await s.store.iam.create({ accountId: 'acme', kind: 'user', id: 'dave', doc: { login: 'dave', email: '', description: '', group: '' }, createdAt: now, updatedAt: now, version: 1 });
    expect((await s.iam.resolveIdentities('acme', [dave])).effective).toEqual([]); // this node's snapshot, still fresh
    s.clock.advance(SNAPSHOT_MAX_AGE_MS);
    expect((await s.iam.resolveIdentities('acme', [dave])).effective).toEqual([dave]);
  });

  it('decides on the resolved identities: a group grant applies to its members, and deny wins', async () => {
    const resource = 'urn:v1:eu:resource:okms:d1';
    await s.iam.create(s.account, POLICY, { name: 'ops-encrypt', identities: [urn('group', 'ops')], resources: [{ urn: `${resource}/*` }], permissions: { allow: [{ action: 'okms:apikms:serviceKey/*' }] } });
    const robot = (await s.iam.resolveIdentities('acme', [urn('credential', 'robot')])).effective;
    expect((await s.iam.decide({ accountId: 'acme', identities: robot, action: 'okms:apikms:serviceKey/encrypt', resource: `${resource}/serviceKey/k1` })).allowed).toBe(true);
    const bob = (await s.iam.resolveIdentities('acme', [urn('user', 'bob')])).effective;
    expect((await s.iam.decide({ accountId: 'acme', identities: bob, action: 'okms:apikms:serviceKey/encrypt', resource: `${resource}/serviceKey/k1` })).allowed).toBe(false);
    await s.iam.create(s.account, POLICY, { name: 'no-robot', identities: [urn('credential', 'robot')], resources: [{ urn: `${resource}/*` }], permissions: { deny: [{ action: 'okms:apikms:serviceKey/encrypt' }] } });
    const decision = await s.iam.decide({ accountId: 'acme', identities: robot, action: 'okms:apikms:serviceKey/encrypt', resource: `${resource}/serviceKey/k1` });
    expect(decision).toMatchObject({ allowed: false });
  });
});
