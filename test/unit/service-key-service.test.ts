import { createHash, createPublicKey, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import type { DomainRecord } from '../../src/domain/types';
import { ServiceKeyService } from '../../src/kms/service-key-service';
import { openServices, type ServiceSet } from '../helpers/services';

let s: ServiceSet;
let keys: ServiceKeyService;
let domain: DomainRecord;
let other: DomainRecord;

beforeAll(async () => {
  s = await openServices();
  keys = new ServiceKeyService({ store: s.store, keys: s.keys, clock: s.clock.now });
  [domain, other] = [await s.newDomain(), await s.newDomain()];
});
afterAll(() => s.close());

const code = (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: { code?: string; field?: string }) => `${error.code} ${error.field}`);

describe('ServiceKeyService', () => {
  it('makes an AES-256 key by default, stores it only wrapped, and round-trips encrypt/decrypt with a context', async () => {
    const key = await keys.create(domain, { name: 'aes' });
    expect(key).toMatchObject({ type: 'oct', size: 256, curve: null, operations: ['encrypt', 'decrypt'], state: 'active', publicKey: null, version: 1 });
    const stored = (await s.store.serviceKeys.get(domain.id, key.id))!;
    expect(JSON.parse(stored.wrappedMaterial)).toMatchObject({ alg: 'A256GCM' });
    const token = await keys.encrypt(domain, key.id, Buffer.from('plain'), 'ctx');
    expect((await keys.decrypt(domain, key.id, token, 'ctx')).toString()).toBe('plain');
    expect(await code(keys.decrypt(domain, key.id, token, 'other'))).toBe('ERR_VALIDATION ciphertext');
    expect(await code(keys.decrypt(domain, key.id, token, null))).toBe('ERR_VALIDATION ciphertext');
  });

  it('keeps data keys and ciphertexts apart, and needs wrapKey (or encrypt) for data keys', async () => {
    const key = await keys.create(domain, { name: 'wrap', operations: ['wrapKey', 'unwrapKey'] });
    const wrapped = await keys.encrypt(domain, key.id, randomBytes(32), null, 'datakey');
    expect((await keys.decrypt(domain, key.id, wrapped, null, 'datakey')).length).toBe(32);
    expect(await code(keys.encrypt(domain, key.id, Buffer.from('x')))).toBe('ERR_VALIDATION keyId'); // no encrypt
    const plain = await keys.create(domain, { name: 'enc' });
    const ciphertext = await keys.encrypt(domain, plain.id, Buffer.from('x'));
    expect(await code(keys.decrypt(domain, plain.id, ciphertext, null, 'datakey'))).toBe('ERR_VALIDATION key');
  });

  it('signs with generated EC and RSA keys; the public key it stores verifies outside', async () => {
    for (const [input, alg] of [[{ name: 'ec', type: 'EC' as const, curve: 'P-384' }, 'ES384'], [{ name: 'rsa', type: 'RSA' as const, size: 2048 }, 'PS256']] as const) {
      const key = await keys.create(domain, input);
      const message = Buffer.from(`signed by ${key.name}`);
      const signature = await keys.sign(domain, key.id, alg, message, false);
      const publicKey = createPublicKey({ key: Buffer.from(key.publicKey!, 'base64'), format: 'der', type: 'spki' });
      const options = alg === 'ES384' ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : { key: publicKey, padding: 6, saltLength: -1 };
      expect(verify(alg === 'ES384' ? 'sha384' : 'sha256', message, options, signature)).toBe(true);
      expect(await keys.verify(domain, key.id, alg, message, signature, false)).toBe(true);
      expect(await code(keys.sign(domain, key.id, alg === 'ES384' ? 'ES256' : 'ES256', message, false))).toBe('ERR_VALIDATION alg');
    }
  });

  it('imports a JWK (an oct key shortened by big.Int comes back to its AES size) and uses the imported material', async () => {
    const raw = Buffer.concat([Buffer.alloc(1), randomBytes(31)]); // leading zero byte, as okms-sdk-go drops it
    const imported = await keys.create(domain, { name: 'imported', keys: [{ kty: 'oct', k: raw.subarray(1).toString('base64url') }] });
    expect(imported.size).toBe(256);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ec = await keys.create(domain, { name: 'imported-ec', keys: [privateKey.export({ format: 'jwk' }) as Record<string, unknown>] });
    expect(ec).toMatchObject({ type: 'EC', curve: 'P-256' });
    const digest = createHash('sha256').update('m').digest();
    const signature = await keys.sign(domain, ec.id, 'ES256', digest, true);
    expect(verify('sha256', Buffer.from('m'), { key: createPublicKey(privateKey), dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
    expect(await code(keys.create(domain, { name: 'bad', keys: [{ kty: 'oct', k: randomBytes(5).toString('base64url') }] }))).toBe('ERR_VALIDATION keys[0]');
    expect(await code(keys.create(domain, { name: 'bad', keys: [{ kty: 'OKP', crv: 'Ed25519' }] }))).toBe('ERR_VALIDATION keys[0]');
  });

  it('refuses a deactivated key, deletes only deactivated ones (the record stays, destroyed), and keeps dates', async () => {
    const key = await keys.create(domain, { name: 'life' });
    expect(await keys.update(domain, key.id, { name: 'renamed' })).toMatchObject({ name: 'renamed', version: 2 });
    s.clock.advance(5000);
    await keys.activate(domain, key.id); // already active: nothing changes, the activation date stays
    expect(await keys.get(domain, key.id)).toMatchObject({ activatedAt: key.activatedAt, version: 2 });
    await keys.deactivate(domain, key.id, 'superseded');
    expect(await keys.get(domain, key.id)).toMatchObject({ state: 'deactivated', deactivationReason: 'superseded', version: 3 });
    expect(await code(keys.encrypt(domain, key.id, Buffer.from('x')))).toBe('ERR_CONFLICT keyId');
    await keys.activate(domain, key.id);
    expect(await code(keys.delete(domain, key.id))).toBe('ERR_CONFLICT keyId');
    await keys.deactivate(domain, key.id);
    await keys.delete(domain, key.id);
    const destroyed = await keys.get(domain, key.id);
    expect(destroyed).toMatchObject({ state: 'destroyed', wrappedMaterial: '', destroyedAt: s.clock.now().toISOString() });
    expect(await code(keys.encrypt(domain, key.id, Buffer.from('x')))).toBe('ERR_CONFLICT keyId');
    expect(await code(keys.activate(domain, key.id))).toBe('ERR_CONFLICT keyId');
    expect(await code(keys.delete(domain, key.id))).toBe('ERR_CONFLICT keyId');
    expect((await keys.list(domain, { limit: 100 }, 'destroyed')).items.map((k) => k.id)).toContain(key.id);
  });

  it('deactivation for key_compromise makes a key compromised for good, with its date; deleting it leaves destroyed_compromised', async () => {
    const key = await keys.create(domain, { name: 'leaked' });
    s.clock.advance(1000);
    await keys.deactivate(domain, key.id, 'key_compromise');
    expect(await keys.get(domain, key.id)).toMatchObject({ state: 'compromised', compromisedAt: s.clock.now().toISOString(), deactivationReason: 'key_compromise' });
    expect(await code(keys.activate(domain, key.id))).toBe('ERR_CONFLICT keyId');
    expect(await code(keys.deactivate(domain, key.id, 'superseded'))).toBe('ERR_CONFLICT keyId');
    const later = await keys.create(domain, { name: 'later' });
    await keys.deactivate(domain, later.id, 'superseded');
    await keys.deactivate(domain, later.id, 'key_compromise'); // a deactivated key found compromised later
    expect((await keys.get(domain, later.id)).state).toBe('compromised');
    await keys.delete(domain, key.id);
    expect((await keys.get(domain, key.id)).state).toBe('destroyed_compromised');
  });

  it("takes the type's default operations for an empty list (okms-cli without --usage), and an imported JWK's key_ops", async () => {
    expect((await keys.create(domain, { name: 'empty', operations: [] })).operations).toEqual(['encrypt', 'decrypt']);
    expect((await keys.create(domain, { name: 'empty-ec', type: 'EC', operations: [] })).operations).toEqual(['sign', 'verify']);
    const k = randomBytes(32).toString('base64url');
    const encryptOnly = await keys.create(domain, { name: 'enc-only', operations: [], keys: [{ kty: 'oct', k, key_ops: ['encrypt'] }] });
    expect(encryptOnly.operations).toEqual(['encrypt']);
    const token = await keys.encrypt(domain, encryptOnly.id, Buffer.from('x'));
    expect(await code(keys.decrypt(domain, encryptOnly.id, token))).toBe('ERR_VALIDATION keyId');
    expect((await keys.create(domain, { name: 'ops-win', operations: ['decrypt'], keys: [{ kty: 'oct', k, key_ops: ['encrypt'] }] })).operations).toEqual(['decrypt']);
    expect(await code(keys.create(domain, { name: 'bad-ops', keys: [{ kty: 'oct', k, key_ops: ['sign'] }] }))).toBe('ERR_VALIDATION operations');
    expect(await code(keys.create(domain, { name: 'bad-ops', keys: [{ kty: 'oct', k, key_ops: 'encrypt' }] }))).toBe('ERR_VALIDATION keys[0].key_ops');
  });

  it("never finds a key through another domain, and another domain's KEK cannot open it", async () => {
    const key = await keys.create(domain, { name: 'mine' });
    expect(await code(keys.get(other, key.id))).toBe('ERR_NOT_FOUND keyId');
    expect(await code(keys.encrypt(other, key.id, Buffer.from('x')))).toBe('ERR_NOT_FOUND keyId');
    const stored = (await s.store.serviceKeys.get(domain.id, key.id))!;
    const otherKek = s.keys.openDomainKek(other.id, other.wrappedKek);
    expect(() => s.keys.unwrapUnderKek(otherKek, domain.id, `service-key/${key.id}`, stored.wrappedMaterial)).toThrow();
  });

  it('sees a change made through the store by another node once its one-second cache has passed, on the injected clock', async () => {
    const key = await keys.create(domain, { name: 'shared' });
    await keys.encrypt(domain, key.id, Buffer.from('x')); // cached now
    const stored = (await s.store.serviceKeys.get(domain.id, key.id))!;
    await s.store.serviceKeys.replace({ ...stored, state: 'deactivated', version: stored.version + 1 }, stored.version); // "another node"
    expect(await code(keys.encrypt(domain, key.id, Buffer.from('x')))).toBe('resolved');
    s.clock.advance(1001);
    expect(await code(keys.encrypt(domain, key.id, Buffer.from('x')))).toBe('ERR_CONFLICT keyId');
  });
});
