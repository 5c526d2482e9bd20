import { PolicyIndex, type DecisionInput, type Policy } from '../../src/iam/decide';

const U = (name: string) => `urn:v1:eu:identity:user:acme/${name}`;
const GROUP_OPS = 'urn:v1:eu:identity:group:acme/ops';
const SVC = 'urn:v1:eu:identity:credential:acme/ci-runner';
const ROOT = 'urn:v1:eu:identity:account:acme';
const OTHER_ROOT = 'urn:v1:eu:identity:account:globex';
const D1 = 'urn:v1:eu:resource:okms:11111111-1111-4111-8111-111111111111';
const D2 = 'urn:v1:eu:resource:okms:22222222-2222-4222-8222-222222222222';
const KEY = (domain: string, id = 'k1') => `${domain}/serviceKey/${id}`;
const A = (a: string) => `okms:apikms:${a}`;

let ids = 0;
const policy = (p: Partial<Policy> & Pick<Policy, 'identities' | 'resources'>): Policy => ({
  id: `p${++ids}`,
  accountId: 'acme',
  name: p.name ?? `policy-${ids}`,
  permissions: { allow: [], except: [], deny: [], ...p.permissions },
  ...p,
});

const POLICIES: Policy[] = [
  policy({ name: 'alice-all-d1', identities: [U('alice')], resources: [D1], permissions: { allow: [A('*')], except: [], deny: [] } }),
  policy({ name: 'bob-encrypt-d1', identities: [U('bob')], resources: [D1], permissions: { allow: [A('serviceKey/encrypt'), A('serviceKey/decrypt')], except: [], deny: [] } }),
  policy({ name: 'ops-keys-except-delete', identities: [GROUP_OPS], resources: [D1, D2], permissions: { allow: [A('serviceKey/*')], except: [A('serviceKey/delete')], deny: [] } }),
  policy({ name: 'ops-no-sign-on-d2', identities: [GROUP_OPS], resources: [D2], permissions: { allow: [], except: [], deny: [A('serviceKey/sign')] } }),
  policy({ name: 'svc-one-key', identities: [SVC], resources: [KEY(D1, 'k1')], permissions: { allow: [A('serviceKey/encrypt')], except: [], deny: [] } }),
  policy({ name: 'svc-office-hours', identities: [SVC], resources: [D2], permissions: { allow: [A('serviceKey/get')], except: [], deny: [] }, conditions: { notBefore: '2026-01-01T08:00:00Z', notAfter: '2026-01-01T18:00:00Z' } }),
  policy({ name: 'carol-from-office', identities: [U('carol')], resources: [D1], permissions: { allow: [A('*')], except: [], deny: [] }, conditions: { sourceIps: ['10.1.0.0/16', '2001:db8::/32'] } }),
  policy({ name: 'dave-any-domain', identities: [U('dave')], resources: ['urn:v1:eu:resource:okms:*'], permissions: { allow: [A('random/get')], except: [], deny: [] } }),
  policy({ name: 'erin-deny-all-d1', identities: [U('erin')], resources: [D1], permissions: { allow: [], except: [], deny: [A('*')] } }),
  policy({ name: 'erin-allow-all-d1', identities: [U('erin')], resources: [D1], permissions: { allow: [A('*')], except: [], deny: [] } }),
  policy({ name: 'frank-other-account', accountId: 'globex', identities: [U('frank')], resources: [D1], permissions: { allow: [A('*')], except: [], deny: [] } }),
  policy({ name: 'gina-prefix-wildcard', identities: [U('gina')], resources: [D1], permissions: { allow: [A('serviceKey/dataKey/*')], except: [], deny: [] } }),
  policy({ name: 'henry-empty-allow', identities: [U('henry')], resources: [D1], permissions: { allow: [], except: [], deny: [] } }),
  policy({ name: 'ivan-key-wildcard', identities: [U('ivan')], resources: [`${D1}/serviceKey/prod-*`], permissions: { allow: [A('serviceKey/sign')], except: [], deny: [] } }),
];

const index = new PolicyIndex(POLICIES, 'eu');
const NOON = new Date('2026-01-01T12:00:00Z');
const NIGHT = new Date('2026-01-01T23:00:00Z');

type Case = [string, Partial<DecisionInput> & Pick<DecisionInput, 'identities' | 'action' | 'resource'>, boolean, string];
const cases: Case[] = [
  ['root identity bypasses policies', { identities: [ROOT], action: A('serviceKey/delete'), resource: KEY(D1) }, true, 'root_identity'],
  ['root identity bypasses even with no policy at all', { identities: [ROOT], action: A('random/get'), resource: D2 }, true, 'root_identity'],
  ["another account's root does not bypass", { identities: [OTHER_ROOT], action: A('random/get'), resource: D1 }, false, 'no_policy_allows'],
  ['unknown identity is denied by default', { identities: [U('nobody')], action: A('serviceKey/encrypt'), resource: KEY(D1) }, false, 'no_policy_allows'],
  ['no identities at all is denied', { identities: [], action: A('serviceKey/encrypt'), resource: KEY(D1) }, false, 'no_policy_allows'],
  ['okms:apikms:* allows encrypt', { identities: [U('alice')], action: A('serviceKey/encrypt'), resource: KEY(D1) }, true, 'allowed_by_policy'],
  ['okms:apikms:* allows random', { identities: [U('alice')], action: A('random/get'), resource: D1 }, true, 'allowed_by_policy'],
  ['domain URN covers its keys', { identities: [U('alice')], action: A('serviceKey/delete'), resource: KEY(D1, 'zz') }, true, 'allowed_by_policy'],
  ['policy on D1 does not reach D2 (cross-domain)', { identities: [U('alice')], action: A('serviceKey/encrypt'), resource: KEY(D2) }, false, 'no_policy_allows'],
  ['a similar-prefix domain is not covered', { identities: [U('alice')], action: A('random/get'), resource: `${D1}0` }, false, 'no_policy_allows'],
  ['exact action allowed', { identities: [U('bob')], action: A('serviceKey/encrypt'), resource: KEY(D1) }, true, 'allowed_by_policy'],
  ['second exact action allowed', { identities: [U('bob')], action: A('serviceKey/decrypt'), resource: KEY(D1) }, true, 'allowed_by_policy'],
  ['action not listed is denied', { identities: [U('bob')], action: A('serviceKey/sign'), resource: KEY(D1) }, false, 'no_policy_allows'],
  ['create not implied by encrypt', { identities: [U('bob')], action: A('serviceKey/create'), resource: D1 }, false, 'no_policy_allows'],
  ['group member gets the group policy', { identities: [U('zoe'), GROUP_OPS], action: A('serviceKey/get'), resource: KEY(D1) }, true, 'allowed_by_policy'],
  ['group policy: serviceKey/* covers activate', { identities: [GROUP_OPS], action: A('serviceKey/activate'), resource: KEY(D2) }, true, 'allowed_by_policy'],
  ['group policy: except removes delete', { identities: [GROUP_OPS], action: A('serviceKey/delete'), resource: KEY(D1) }, false, 'no_policy_allows'],
  ['group policy: serviceKey/* does not cover random', { identities: [GROUP_OPS], action: A('random/get'), resource: D1 }, false, 'no_policy_allows'],
  ['deny on D2 wins over allow on D2', { identities: [GROUP_OPS], action: A('serviceKey/sign'), resource: KEY(D2) }, false, 'denied_by_policy'],
  ['deny on D2 does not touch D1', { identities: [GROUP_OPS], action: A('serviceKey/sign'), resource: KEY(D1) }, true, 'allowed_by_policy'],
  ['user policy plus group deny: deny wins', { identities: [U('alice'), GROUP_OPS], action: A('serviceKey/sign'), resource: KEY(D2) }, false, 'denied_by_policy'],
  ['deny-all and allow-all on one identity: deny wins', { identities: [U('erin')], action: A('serviceKey/encrypt'), resource: KEY(D1) }, false, 'denied_by_policy'],
  ['deny-all on D1 leaves D2 to other policies', { identities: [U('erin')], action: A('serviceKey/encrypt'), resource: KEY(D2) }, false, 'no_policy_allows'],
  ['policy scoped to one key allows that key', { identities: [SVC], action: A('serviceKey/encrypt'), resource: KEY(D1, 'k1') }, true, 'allowed_by_policy'],
  ['policy scoped to one key does not reach another key', { identities: [SVC], action: A('serviceKey/encrypt'), resource: KEY(D1, 'k2') }, false, 'no_policy_allows'],
  ['policy scoped to one key does not reach the domain', { identities: [SVC], action: A('serviceKey/encrypt'), resource: D1 }, false, 'no_policy_allows'],
  ['time window: inside', { identities: [SVC], action: A('serviceKey/get'), resource: KEY(D2), now: NOON }, true, 'allowed_by_policy'],
  ['time window: after', { identities: [SVC], action: A('serviceKey/get'), resource: KEY(D2), now: NIGHT }, false, 'no_policy_allows'],
  ['time window: before', { identities: [SVC], action: A('serviceKey/get'), resource: KEY(D2), now: new Date('2026-01-01T07:59:59Z') }, false, 'no_policy_allows'],
  ['time window: notAfter is exclusive', { identities: [SVC], action: A('serviceKey/get'), resource: KEY(D2), now: new Date('2026-01-01T18:00:00Z') }, false, 'no_policy_allows'],
  ['source IPv4 inside CIDR', { identities: [U('carol')], action: A('random/get'), resource: D1, sourceIp: '10.1.200.3' }, true, 'allowed_by_policy'],
  ['source IPv4 outside CIDR', { identities: [U('carol')], action: A('random/get'), resource: D1, sourceIp: '10.2.0.1' }, false, 'no_policy_allows'],
  ['source IPv6 inside CIDR', { identities: [U('carol')], action: A('random/get'), resource: D1, sourceIp: '2001:db8:1::5' }, true, 'allowed_by_policy'],
  ['source IPv6 outside CIDR', { identities: [U('carol')], action: A('random/get'), resource: D1, sourceIp: '2001:db9::1' }, false, 'no_policy_allows'],
  ['source address unknown fails the condition', { identities: [U('carol')], action: A('random/get'), resource: D1 }, false, 'no_policy_allows'],
  ['resource wildcard across domains', { identities: [U('dave')], action: A('random/get'), resource: D2 }, true, 'allowed_by_policy'],
  ['resource wildcard, action still limited', { identities: [U('dave')], action: A('serviceKey/encrypt'), resource: KEY(D2) }, false, 'no_policy_allows'],
  ["another account's policy never applies", { identities: [U('frank')], action: A('random/get'), resource: D1 }, false, 'no_policy_allows'],
  ['nested wildcard dataKey/* allows dataKey/create', { identities: [U('gina')], action: A('serviceKey/dataKey/create'), resource: KEY(D1) }, true, 'allowed_by_policy'],
  ['nested wildcard dataKey/* allows dataKey/decrypt', { identities: [U('gina')], action: A('serviceKey/dataKey/decrypt'), resource: KEY(D1) }, true, 'allowed_by_policy'],
  ['nested wildcard dataKey/* does not allow decrypt', { identities: [U('gina')], action: A('serviceKey/decrypt'), resource: KEY(D1) }, false, 'no_policy_allows'],
  ['empty allow list allows nothing', { identities: [U('henry')], action: A('random/get'), resource: D1 }, false, 'no_policy_allows'],
  ['key-name wildcard matches prod-*', { identities: [U('ivan')], action: A('serviceKey/sign'), resource: KEY(D1, 'prod-eu') }, true, 'allowed_by_policy'],
  ['key-name wildcard refuses staging', { identities: [U('ivan')], action: A('serviceKey/sign'), resource: KEY(D1, 'staging-eu') }, false, 'no_policy_allows'],
  ['wildcard is not a regex (dot is literal)', { identities: [U('alice')], action: 'okms:apikmsXserviceKey/encrypt', resource: KEY(D1) }, false, 'no_policy_allows'],
  ['action of another product family is not covered by okms:apikms:*', { identities: [U('alice')], action: 'okms:kmip:get', resource: D1 }, false, 'no_policy_allows'],
];

describe('PolicyIndex.decide', () => {
  it('has at least 40 cases', () => expect(cases.length).toBeGreaterThanOrEqual(40));

  it.each(cases)('%s', (_name, input, allowed, reason) => {
    const decision = index.decide({ account: 'acme', now: NOON, ...input });
    expect({ allowed: decision.allowed, reason: decision.reason }).toEqual({ allowed, reason });
  });

  it('explains: every policy naming the caller, with its outcome and why', () => {
    const decision = index.decide({ account: 'acme', identities: [GROUP_OPS], action: A('serviceKey/sign'), resource: KEY(D2), now: NOON });
    expect(decision.policies).toEqual([
      { policyId: expect.any(String), name: 'ops-keys-except-delete', outcome: 'allow', detail: 'okms:apikms:serviceKey/sign is in allow' },
      { policyId: expect.any(String), name: 'ops-no-sign-on-d2', outcome: 'deny', detail: 'okms:apikms:serviceKey/sign is in deny' },
    ]);
    const excepted = index.decide({ account: 'acme', identities: [GROUP_OPS], action: A('serviceKey/delete'), resource: KEY(D1), now: NOON });
    expect(excepted.policies.map((p) => p.outcome)).toEqual(['excepted', 'resource_mismatch']);
    const outside = index.decide({ account: 'acme', identities: [U('carol')], action: A('random/get'), resource: D1, now: NOON, sourceIp: '192.0.2.1' });
    expect(outside.policies[0]!.detail).toContain('192.0.2.1 is outside 10.1.0.0/16');
  });

  it('looks only at the policies that name the caller (indexed)', () => {
    const many: Policy[] = Array.from({ length: 10_000 }, (_, i) => policy({ identities: [U(`user${i}`)], resources: [D1], permissions: { allow: [A('*')], except: [], deny: [] } }));
    const big = new PolicyIndex([...many, ...POLICIES], 'eu');
    const decision = big.decide({ account: 'acme', identities: [U('bob')], action: A('serviceKey/encrypt'), resource: KEY(D1), now: NOON });
    expect(decision.allowed).toBe(true);
    expect(decision.policies).toHaveLength(1);
  });
});
