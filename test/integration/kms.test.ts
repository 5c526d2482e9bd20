import { execFile } from 'node:child_process';
import { createCipheriv, createDecipheriv, createHash, createPublicKey, generateKeyPairSync, randomBytes, verify, constants } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDomain, removeDir, rootUrn, startTestOkmsd, type TestOkmsd } from '../helpers/harness';
import { mtlsCall } from '../helpers/mtls-client';
import { requireTools } from '../helpers/outside-tools';

const execFileAsync = promisify(execFile);
let t: TestOkmsd;
let domain: { id: string };
let client: { cert: string; key: string };
const api = (method: string, path: string, body?: unknown) => mtlsCall(t, `/api/${domain.id}/v1${path}`, { ...client, method, body });
const b64 = (data: Buffer | string) => Buffer.from(data).toString('base64');

beforeAll(async () => {
  t = await startTestOkmsd();
  domain = await createDomain(t, 'kms');
  const created = await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name: 'kms-root', identityURNs: [rootUrn()] } });
  client = { cert: created.json.certificatePEM, key: created.json.privateKeyPEM };
});
afterAll(async () => {
  await t.dispose();
});

describe('oct keys: encrypt, decrypt, data keys', () => {
  let keyId: string;
  it('creates an AES-256 key (201) as okms-cli sends it, extractable included', async () => {
    const created = await api('POST', '/servicekey', { name: 'aes', type: 'oct', size: 256, operations: ['encrypt', 'decrypt'], context: 'aes', extractable: false });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: 'aes', type: 'oct', size: 256, operations: ['encrypt', 'decrypt'], protectionLevel: 'SOFTWARE', attributes: { state: 'active' } });
    keyId = created.json.id;
    const jwk = await api('GET', `/servicekey/${keyId}?format=jwk`);
    expect(jwk.json.keys).toEqual([{ kty: 'oct', kid: keyId, key_ops: ['encrypt', 'decrypt'] }]); // never the secret
  });

  it('round-trips with a context bound as AAD; a wrong context or a tampered ciphertext is a 400', async () => {
    const plaintext = randomBytes(256);
    const encrypted = await api('POST', `/servicekey/${keyId}/encrypt`, { plaintext: b64(plaintext), context: 'tenant-42' });
    expect(encrypted.status).toBe(200);
    expect(encrypted.json.ciphertext.split('.')).toHaveLength(5); // JWE compact
    const header = JSON.parse(Buffer.from(encrypted.json.ciphertext.split('.')[0], 'base64url').toString());
    expect(header).toMatchObject({ alg: 'dir', enc: 'A256GCM', kid: keyId });
    const decrypted = await api('POST', `/servicekey/${keyId}/decrypt`, { ciphertext: encrypted.json.ciphertext, context: 'tenant-42' });
    expect(Buffer.from(decrypted.json.plaintext, 'base64').equals(plaintext)).toBe(true);
    expect((await api('POST', `/servicekey/${keyId}/decrypt`, { ciphertext: encrypted.json.ciphertext, context: 'tenant-43' })).status).toBe(400);
    expect((await api('POST', `/servicekey/${keyId}/decrypt`, { ciphertext: encrypted.json.ciphertext })).status).toBe(400);
    const parts = encrypted.json.ciphertext.split('.');
    const ct = Buffer.from(parts[3], 'base64url');
    ct[0]! ^= 1;
    parts[3] = ct.toString('base64url');
    const tampered = await api('POST', `/servicekey/${keyId}/decrypt`, { ciphertext: parts.join('.'), context: 'tenant-42' });
    expect(tampered.status).toBe(400);
    expect(tampered.json.errors[0]).toContain('decryption failed');
  });

  it('data keys: 201 with plaintext + wrapped key, unwrap gives the same key, usable locally; not via /decrypt', async () => {
    const created = await api('POST', `/servicekey/${keyId}/datakey`, { size: 256, name: 'dek' });
    expect(created.status).toBe(201);
    const dek = Buffer.from(created.json.plaintext, 'base64');
    expect(dek).toHaveLength(32);
    const unwrapped = await api('POST', `/servicekey/${keyId}/datakey/decrypt`, { key: created.json.key });
    expect(Buffer.from(unwrapped.json.plaintext, 'base64').equals(dek)).toBe(true);
    // envelope encryption done locally with the data key
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', dek, iv);
    const sealed = Buffer.concat([cipher.update('payload'), cipher.final()]);
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(unwrapped.json.plaintext, 'base64'), iv);
    decipher.setAuthTag(cipher.getAuthTag());
    expect(Buffer.concat([decipher.update(sealed), decipher.final()]).toString()).toBe('payload');
    expect((await api('POST', `/servicekey/${keyId}/decrypt`, { ciphertext: created.json.key })).status).toBe(400);
    expect((await api('POST', `/servicekey/${keyId}/datakey`, { size: 100 })).json.errors[0]).toContain('size');
  });

  it('deactivated keys refuse crypto; only deactivated keys can be deleted, and then read as destroyed', async () => {
    expect((await api('DELETE', `/servicekey/${keyId}`)).status).toBe(409);
    expect((await api('POST', `/servicekey/${keyId}/deactivate`, { reason: 'superseded' })).status).toBe(204);
    expect((await api('POST', `/servicekey/${keyId}/encrypt`, { plaintext: b64('x') })).status).toBe(409);
    const listed = await api('GET', '/servicekey?state=deactivated');
    expect(listed.json.objects_list.map((k: { id: string }) => k.id)).toContain(keyId);
    expect((await api('GET', '/servicekey')).json.objects_list.map((k: { id: string }) => k.id)).not.toContain(keyId);
    expect((await api('DELETE', `/servicekey/${keyId}`)).status).toBe(204);
    const destroyed = await api('GET', `/servicekey/${keyId}`);
    expect([destroyed.status, destroyed.json.attributes.state]).toEqual([200, 'destroyed']);
    expect(destroyed.json.attributes.destruction_date).toEqual(expect.any(String));
    expect((await api('GET', '/servicekey?state=destroyed')).json.objects_list.map((k: { id: string }) => k.id)).toContain(keyId);
    expect((await api('POST', `/servicekey/${keyId}/decrypt`, { ciphertext: 'x.y.z' })).status).toBe(409);
    expect((await api('DELETE', `/servicekey/${keyId}`)).status).toBe(409);
  });

  it('as OVH okms-cli tests/keys.yaml expects: key_compromise → compromised with compromise_date; operations [] → defaults; 4,096-byte ciphertexts decrypt', async () => {
    const key = (await api('POST', '/servicekey', { name: 'cli-like', type: 'oct', size: 256, operations: [], extractable: false })).json;
    expect(key.operations).toEqual(['encrypt', 'decrypt']);
    const big = Buffer.alloc(4096, 9);
    const encrypted = await api('POST', `/servicekey/${key.id}/encrypt`, { plaintext: big.toString('base64'), context: 'c'.repeat(64) });
    expect(encrypted.status).toBe(200);
    const decrypted = await api('POST', `/servicekey/${key.id}/decrypt`, { ciphertext: encrypted.json.ciphertext, context: 'c'.repeat(64) });
    expect(Buffer.from(decrypted.json.plaintext, 'base64').equals(big)).toBe(true);
    const activatedAt = (await api('GET', `/servicekey/${key.id}`)).json.attributes.activation_date;
    expect((await api('POST', `/servicekey/${key.id}/activate`)).status).toBe(204);
    expect((await api('GET', `/servicekey/${key.id}`)).json.attributes.activation_date).toBe(activatedAt);
    expect((await api('POST', `/servicekey/${key.id}/deactivate`, { reason: 'key_compromise' })).status).toBe(204);
    const compromised = (await api('GET', `/servicekey/${key.id}`)).json.attributes;
    expect(compromised).toMatchObject({ state: 'compromised', deactivation_reason: 'key_compromise', compromise_date: expect.any(String) });
    expect((await api('POST', `/servicekey/${key.id}/activate`)).status).toBe(409);
    expect((await api('DELETE', `/servicekey/${key.id}`)).status).toBe(204);
    expect((await api('GET', `/servicekey/${key.id}`)).json.attributes.state).toBe('destroyed_compromised');
  });
});

describe('EC and RSA keys: signatures checked by independent verifiers', () => {
  const message = Buffer.from('okmsd signs this');
  it.each([['P-256', 'ES256', 'sha256'], ['P-384', 'ES384', 'sha384'], ['P-521', 'ES512', 'sha512']] as const)('EC %s %s, message and digest', async (curve, alg, hash) => {
    const key = (await api('POST', '/servicekey?format=jwk', { name: `ec-${curve}`, type: 'EC', curve, operations: ['sign', 'verify'] })).json;
    const publicKey = createPublicKey({ key: key.keys[0], format: 'jwk' });
    for (const isdigest of [false, true]) {
      const signed = await api('POST', `/servicekey/${key.id}/sign`, { message: b64(isdigest ? createHash(hash).update(message).digest() : message), alg, isdigest });
      expect(signed.status).toBe(200);
      const signature = Buffer.from(signed.json.signature, 'base64');
      expect(verify(hash, message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
      const checked = await api('POST', `/servicekey/${key.id}/verify`, { message: b64(message), signature: signed.json.signature, alg });
      expect(checked.json).toEqual({ result: true });
    }
    expect((await api('POST', `/servicekey/${key.id}/verify`, { message: b64('other'), signature: b64(randomBytes(64)), alg })).json).toEqual({ result: false });
    expect((await api('POST', `/servicekey/${key.id}/sign`, { message: b64(message), alg: alg === 'ES256' ? 'ES384' : 'ES256' })).status).toBe(400);
  });

  it('an ES256 signature verifies with openssl dgst', async () => {
    requireTools('openssl');
    const key = (await api('POST', '/servicekey?format=jwk', { name: 'ec-openssl', type: 'EC', curve: 'P-256' })).json;
    const p1363 = Buffer.from((await api('POST', `/servicekey/${key.id}/sign`, { message: b64(message), alg: 'ES256' })).json.signature, 'base64');
    const int = (b: Buffer) => { let v = b; while (v.length > 1 && v[0] === 0 && v[1]! < 0x80) v = v.subarray(1); if (v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]); return Buffer.concat([Buffer.from([2, v.length]), v]); };
    const body = Buffer.concat([int(p1363.subarray(0, 32)), int(p1363.subarray(32))]);
    const der = Buffer.concat([Buffer.from([0x30, body.length]), body]);
    const dir = mkdtempSync(join(tmpdir(), 'okmsd-dgst-'));
    writeFileSync(join(dir, 'pub.pem'), createPublicKey({ key: key.keys[0], format: 'jwk' }).export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'sig'), der);
    writeFileSync(join(dir, 'msg'), message);
    const { stdout } = await execFileAsync('openssl', ['dgst', '-sha256', '-verify', join(dir, 'pub.pem'), '-signature', join(dir, 'sig'), join(dir, 'msg')]);
    expect(stdout).toContain('Verified OK');
    removeDir(dir);
  });

  it('RSA 2048: RS256 (message and digest) and PS256', async () => {
    const key = (await api('POST', '/servicekey?format=jwk', { name: 'rsa', type: 'RSA', size: 2048, operations: ['sign', 'verify'] })).json;
    expect(key.keys[0]).toMatchObject({ kty: 'RSA', e: 'AQAB' });
    const publicKey = createPublicKey({ key: key.keys[0], format: 'jwk' });
    const rs = Buffer.from((await api('POST', `/servicekey/${key.id}/sign`, { message: b64(message), alg: 'RS256' })).json.signature, 'base64');
    expect(verify('sha256', message, publicKey, rs)).toBe(true);
    const rsDigest = Buffer.from((await api('POST', `/servicekey/${key.id}/sign`, { message: b64(createHash('sha256').update(message).digest()), alg: 'RS256', isdigest: true })).json.signature, 'base64');
    expect(rsDigest.equals(rs)).toBe(true); // PKCS#1 v1.5 is deterministic
    const ps = Buffer.from((await api('POST', `/servicekey/${key.id}/sign`, { message: b64(message), alg: 'PS256' })).json.signature, 'base64');
    expect(verify('sha256', message, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, ps)).toBe(true);
    expect((await api('POST', `/servicekey/${key.id}/verify`, { message: b64(message), signature: b64(ps), alg: 'PS256' })).json).toEqual({ result: true });
    // okms-cli always sends a digest, PS* included: EMSA-PSS over it, verified as a signature of the message.
    for (const [alg, hash] of [['PS256', 'sha256'], ['PS384', 'sha384'], ['PS512', 'sha512']] as const) {
      const digest = createHash(hash).update(message).digest();
      const signed = await api('POST', `/servicekey/${key.id}/sign`, { message: b64(digest), alg, isdigest: true });
      expect(signed.status).toBe(200);
      expect(verify(hash, message, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, Buffer.from(signed.json.signature, 'base64'))).toBe(true);
      expect((await api('POST', `/servicekey/${key.id}/verify`, { message: b64(digest), signature: signed.json.signature, alg, isdigest: true })).json).toEqual({ result: true });
      expect((await api('POST', `/servicekey/${key.id}/verify`, { message: b64(createHash(hash).update('other').digest()), signature: signed.json.signature, alg, isdigest: true })).json).toEqual({ result: false });
    }
  });
});

describe('import and validation', () => {
  it('imports an EC JWK and an oct JWK whose k lost its leading zero (okms-sdk-go big.Int)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const imported = await api('POST', '/servicekey', { name: 'imported-ec', keys: [privateKey.export({ format: 'jwk' })], operations: ['sign'] });
    expect(imported.status).toBe(201);
    expect(imported.json).toMatchObject({ type: 'EC', curve: 'P-256' });
    const signature = Buffer.from((await api('POST', `/servicekey/${imported.json.id}/sign`, { message: b64('m'), alg: 'ES256' })).json.signature, 'base64');
    expect(verify('sha256', Buffer.from('m'), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
    const k = Buffer.concat([Buffer.from([0]), randomBytes(31)]);
    const oct = await api('POST', '/servicekey', { name: 'imported-oct', keys: [{ kty: 'oct', k: k.subarray(1).toString('base64url') }] });
    expect(oct.json).toMatchObject({ type: 'oct', size: 256 });
    // Key material is stored only wrapped under the domain KEK.
    const d = Buffer.from(String(privateKey.export({ format: 'jwk' }).d), 'base64url');
    for (const file of readdirSync(t.dataDir).filter((f) => f.startsWith('okmsd.sqlite'))) {
      const content = readFileSync(join(t.dataDir, file));
      expect({ file, oct: content.includes(k.subarray(1)), ec: content.includes(d) }).toEqual({ file, oct: false, ec: false });
    }
  });

  it.each([
    [{ name: 'x', type: 'oct', size: 2048 }, 'size'],
    [{ name: 'x', type: 'EC', curve: 'secp256k1' }, 'curve'],
    [{ name: 'x', type: 'RSA', operations: ['encrypt'] }, 'operations'],
    [{ name: 'x', color: 'red' }, 'color'],
    [{ name: '' }, 'name'],
    [{ name: 'x', keys: [{ kty: 'OKP', crv: 'Ed25519' }] }, 'keys[0]'],
  ])('refuses %j naming %s', async (body, field) => {
    const response = await api('POST', '/servicekey', body);
    expect(response.status).toBe(400);
    expect(response.json.errors[0]).toContain(field);
  });

  it('lists with a continuation token', async () => {
    const all: string[] = [];
    let token = '';
    do {
      const page = await api('GET', `/servicekey?state=all&max=2${token ? `&continuation-token=${token}` : ''}`);
      all.push(...page.json.objects_list.map((k: { id: string }) => k.id));
      token = page.json.is_truncated ? page.json.continuation_token : '';
    } while (token);
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBeGreaterThanOrEqual(6);
  });
});

describe('JWS and JWT signatures', () => {
  it('signs a compact JWS / JWT that an independent verifier accepts, and verifies it without the message', async () => {
    const key = (await api('POST', '/servicekey?format=jwk', { name: 'jws', type: 'EC', curve: 'P-256' })).json;
    const publicKey = createPublicKey({ key: key.keys[0], format: 'jwk' });
    const claims = Buffer.from(JSON.stringify({ sub: 'alice', iat: 1 }));
    for (const format of ['jws', 'jwt']) {
      const token = (await api('POST', `/servicekey/${key.id}/sign?format=${format}`, { message: b64(claims), alg: 'ES256' })).json.signature as string;
      const [header, payload, signature] = token.split('.') as [string, string, string];
      expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ alg: 'ES256', kid: key.id, ...(format === 'jwt' ? { typ: 'JWT' } : {}) });
      expect(Buffer.from(payload, 'base64url').equals(claims)).toBe(true);
      expect(verify('sha256', Buffer.from(`${header}.${payload}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))).toBe(true);
      expect((await api('POST', `/servicekey/${key.id}/verify`, { signature: token, alg: 'ES256' })).json).toEqual({ result: true });
      const forged = `${header}.${Buffer.from('{"sub":"mallory"}').toString('base64url')}.${signature}`;
      expect((await api('POST', `/servicekey/${key.id}/verify`, { signature: forged, alg: 'ES256' })).json).toEqual({ result: false });
    }
    expect((await api('POST', `/servicekey/${key.id}/sign?format=jwt`, { message: b64('not json'), alg: 'ES256' })).status).toBe(400);
  });
});

describe('listing is authorized key by key', () => {
  it('a caller allowed serviceKey/get on one key sees only that key', async () => {
    const k1 = (await api('POST', '/servicekey', { name: 'visible', type: 'oct' })).json.id as string;
    await api('POST', '/servicekey', { name: 'hidden', type: 'oct' });
    await t.api('POST', '/iam/user', { body: { login: 'lister' } });
    await t.api('POST', '/iam/policy', {
      body: { name: 'one-key', identities: ['urn:v1:eu:identity:user:root/lister'], resources: [{ urn: `urn:v1:eu:resource:okms:${domain.id}/serviceKey/${k1}` }], permissions: { allow: [{ action: 'okms:apikms:serviceKey/get' }] } },
    });
    const lister = (await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name: 'lister', identityURNs: ['urn:v1:eu:identity:user:root/lister'] } })).json;
    const listed = await mtlsCall(t, `/api/${domain.id}/v1/servicekey?state=all&max=1000`, { cert: lister.certificatePEM, key: lister.privateKeyPEM });
    expect(listed.status).toBe(200);
    expect(listed.json.objects_list.map((k: { id: string }) => k.id)).toEqual([k1]);
    const other = await mtlsCall(t, `/api/${domain.id}/v1/random`, { cert: lister.certificatePEM, key: lister.privateKeyPEM });
    expect(other.json.reason).toBe('identity_not_authorized');
  });
});
