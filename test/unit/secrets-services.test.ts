import type { DomainRecord } from '../../src/domain/types';
import { identityUrn } from '../../src/domain/urn';
import { POLICY, USER } from '../../src/iam/iam-entities';
import { AclService } from '../../src/secrets/acl-service';
import type { BarbicanCaller } from '../../src/secrets/barbican-model';
import { ContainerService } from '../../src/secrets/container-service';
import { ObjectAccess } from '../../src/secrets/object-access';
import { SecretService } from '../../src/secrets/secret-service';
import { openServices, type ServiceSet } from '../helpers/services';

let s: ServiceSet;
let project: DomainRecord;
let secrets: SecretService;
let containers: ContainerService;
let acls: AclService;
const BASE = 'https://okmsd.test';

/** A Keystone user of the project, judged by the real IAM decision. */
const caller = (userId: string, projectId = project.id): BarbicanCaller => ({
  accountId: 'acme', userId, projectId,
  async authorize(action, resource) {
    const identities = (await s.iam.resolveIdentities('acme', [identityUrn('eu', 'user', 'acme', userId)])).effective;
    return (await s.iam.decide({ accountId: 'acme', identities, action, resource })).allowed;
  },
});
const refusal = (promise: Promise<unknown>) => promise.then(() => 'done', (error: { code?: string; field?: string }) => `${error.code}${error.field ? ` ${error.field}` : ''}`);

beforeAll(async () => {
  s = await openServices();
  project = await s.newDomain('project');
  const access = new ObjectAccess({ store: s.store, urnRegion: 'eu', clock: s.clock.now });
  secrets = new SecretService({ store: s.store, keys: s.keys, access, clock: s.clock.now });
  containers = new ContainerService({ store: s.store, access, clock: s.clock.now });
  acls = new AclService({ store: s.store, access, clock: s.clock.now });
  for (const login of ['alice', 'bob', 'carol']) await s.iam.create(s.account, USER, { login });
  const everything = { resources: [{ urn: `urn:v1:eu:resource:okms:${project.id}` }, { urn: `urn:v1:eu:resource:okms:${project.id}/*` }], permissions: { allow: [{ action: 'okms:apikms:*' }] } };
  await s.iam.create(s.account, POLICY, { name: 'project users', identities: ['alice', 'bob', 'carol'].map((u) => identityUrn('eu', 'user', 'acme', u)), ...everything });
});
afterAll(() => s.close());

describe('SecretService', () => {
  it('stores the payload only wrapped under the domain KEK and gives it back in the representation asked for', async () => {
    const record = await secrets.create(caller('alice'), secrets.parseCreate({ name: 'db', payload: 'hunter2-password', payload_content_type: 'text/plain' }));
    const stored = (await s.store.objects.get('secret', record.id))!;
    expect(JSON.stringify(stored)).not.toContain('hunter2');
    expect(stored.doc).toMatchObject({ creatorId: 'alice', contentType: 'text/plain', metadata: {} });
    expect((await secrets.payload(caller('bob'), record.id, undefined)).body.toString()).toBe('hunter2-password');
    expect((await secrets.payload(caller('bob'), record.id, 'application/octet-stream')).contentType).toBe('application/octet-stream');
  });

  it('checks payload rules naming the field: content type, encoding, emptiness, size', () => {
    const codeOf = (body: Parameters<SecretService['parseCreate']>[0]) => { try { secrets.parseCreate(body); return 'ok'; } catch (error) { return (error as { field?: string }).field; } };
    expect(codeOf({ payload: 'x' })).toBe('payload_content_type');
    expect(codeOf({ payload_content_type: 'text/plain' })).toBe('payload');
    expect(codeOf({ payload: 'x', payload_content_type: 'application/octet-stream' })).toBe('payload_content_encoding');
    expect(codeOf({ payload: '   ', payload_content_type: 'text/plain' })).toBe('payload');
    expect(codeOf({ payload: 'x'.repeat(20_001), payload_content_type: 'text/plain' })).toBe('payload');
    expect(codeOf({ secret_type: 'symmetric', payload: 'eA==', payload_content_type: 'text/plain' })).toBe('payload_content_type');
    expect(codeOf({ expiration: '2000-01-01T00:00:00' })).toBe('expiration');
  });

  it('takes a payload once, later, and not twice', async () => {
    const record = await secrets.create(caller('alice'), secrets.parseCreate({ name: 'later' }));
    await secrets.putPayload(caller('alice'), record.id, 'application/octet-stream', 'base64', Buffer.from(Buffer.from([1, 2, 3]).toString('base64')));
    expect((await secrets.payload(caller('alice'), record.id, '*/*')).body).toEqual(Buffer.from([1, 2, 3]));
    expect(await refusal(secrets.putPayload(caller('alice'), record.id, 'text/plain', undefined, Buffer.from('again')))).toBe('ERR_CONFLICT');
  });

  it("hides a secret past its expiration and another project's user cannot see it", async () => {
    const soon = new Date(s.clock.now().getTime() + 60_000).toISOString();
    const record = await secrets.create(caller('alice'), secrets.parseCreate({ name: 'short', expiration: soon }));
    expect(await refusal(secrets.get(caller('alice', '00000000-0000-4000-8000-000000000001'), record.id))).toBe('ERR_FORBIDDEN');
    s.clock.advance(61_000);
    expect(await refusal(secrets.get(caller('alice'), record.id))).toBe('ERR_NOT_FOUND secret_id');
  });
});

describe('ACLs', () => {
  it('a private ACL narrows reads in the project to the creator and the listed users', async () => {
    const record = await secrets.create(caller('alice'), secrets.parseCreate({ name: 'acl', payload: 'p', payload_content_type: 'text/plain' }));
    await acls.set(caller('alice'), 'secret', record.id, 'replace', { read: { users: ['bob'], 'project-access': false } });
    expect((await secrets.payload(caller('bob'), record.id, undefined)).body.toString()).toBe('p');
    expect((await secrets.payload(caller('alice'), record.id, undefined)).body.toString()).toBe('p');
    expect(await refusal(secrets.payload(caller('carol'), record.id, undefined))).toBe('ERR_FORBIDDEN');
    await acls.set(caller('alice'), 'secret', record.id, 'clear');
    expect((await secrets.payload(caller('carol'), record.id, undefined)).body.toString()).toBe('p');
  });
});

describe('ContainerService', () => {
  it('bundles secrets of the project, pins them with consumers, and refuses deletes while consumed unless forced', async () => {
    const cert = await secrets.create(caller('alice'), secrets.parseCreate({ name: 'c', secret_type: 'opaque', payload: 'cert', payload_content_type: 'text/plain' }));
    const container = await containers.create(caller('alice'), { type: 'generic', name: 'lb', secret_refs: [{ name: 'certificate', secret_ref: `${BASE}/v1/secrets/${cert.id}` }] }, BASE);
    expect(container.doc.secretRefs).toEqual([{ name: 'certificate', secretId: cert.id }]);
    await containers.addConsumer(caller('alice'), container.id, { name: 'lb-1', URL: 'https://lb.example/1' });
    expect(await refusal(secrets.delete(caller('alice'), cert.id, false))).toBe('ERR_CONFLICT');
    expect(await refusal(containers.delete(caller('alice'), container.id, false))).toBe('ERR_CONFLICT');
    await containers.removeConsumer(caller('alice'), container.id, { name: 'lb-1', URL: 'https://lb.example/1' });
    expect(await refusal(containers.removeConsumer(caller('alice'), container.id, { name: 'lb-1', URL: 'https://lb.example/1' }))).toBe('ERR_NOT_FOUND name');
    await containers.delete(caller('alice'), container.id, false);
    await secrets.delete(caller('alice'), cert.id, false);
  });

  it('refuses a ref to a secret that does not exist, naming the field', async () => {
    const missing = `${BASE}/v1/secrets/00000000-0000-4000-8000-000000000009`;
    expect(await refusal(containers.create(caller('alice'), { type: 'generic', secret_refs: [{ name: 'x', secret_ref: missing }] }, BASE))).toMatch(/^ERR_(NOT_FOUND|VALIDATION) secret_refs\[0\]/);
  });
});
