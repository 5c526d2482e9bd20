import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jweDecrypt } from '../../src/kms/jwe';
import { createDomain, rootUrn, startTestOkmsd, tempDir, type TestOkmsd } from '../helpers/harness';
import { mtlsCall } from '../helpers/mtls-client';
import { opensslRun } from '../helpers/openssl';

/**
 * BYOK (OKMS 2.17.0) with openssl as the other side: a key exported wrapped under a transport key whose private
 * half only the client holds is unwrapped with `openssl pkeyutl -decrypt` (RSA-OAEP), and a key the client wraps
 * with `openssl pkeyutl -encrypt` is imported under a transport key the KMS made.
 */
let t: TestOkmsd;
let okmsId: string;
let cert: string;
let key: string;
let work: string;
const b64url = (data: Buffer) => data.toString('base64url');
const call = (method: string, path: string, body?: unknown) => mtlsCall(t, `/api/${okmsId}${path}`, { method, cert, key, ...(body === undefined ? {} : { body }) });
const file = (name: string, content: string | Buffer) => {
  writeFileSync(join(work, name), content);
  return join(work, name);
};

/** The client's own unwrap of a JWE: openssl for the RSA-OAEP content key, then AES-GCM. */
async function opensslUnwrap(jwe: string, privatePem: string, oaepMd: 'sha1' | 'sha256'): Promise<Buffer> {
  const [header, encryptedKey, iv, ciphertext, tag] = jwe.split('.') as [string, string, string, string, string];
  const out = join(work, `cek-${Math.random()}`);
  const run = await opensslRun(['pkeyutl', '-decrypt', '-inkey', file('client.key', privatePem), '-in', file('ek.bin', Buffer.from(encryptedKey, 'base64url')), '-out', out, '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', `rsa_oaep_md:${oaepMd}`]);
  expect(run.code).toBe(0);
  const cek = (await import('node:fs')).readFileSync(out);
  const decipher = createDecipheriv('aes-256-gcm', cek, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(header, 'ascii'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
}

/** The client's own wrap: a JWE whose content key openssl encrypted with the transport key's public half. */
async function opensslWrap(material: Buffer, transportPublicPem: string, alg: 'RSA-OAEP' | 'RSA-OAEP-256'): Promise<string> {
  const cek = randomBytes(32);
  const out = join(work, `ek-${Math.random()}`);
  const run = await opensslRun(['pkeyutl', '-encrypt', '-pubin', '-inkey', file('transport.pub', transportPublicPem), '-in', file('cek.bin', cek), '-out', out, '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', `rsa_oaep_md:${alg === 'RSA-OAEP' ? 'sha1' : 'sha256'}`]);
  expect(run.code).toBe(0);
  const header = b64url(Buffer.from(JSON.stringify({ alg, enc: 'A256GCM' })));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', cek, iv);
  cipher.setAAD(Buffer.from(header, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(material), cipher.final()]);
  return [header, b64url((await import('node:fs')).readFileSync(out)), b64url(iv), b64url(ciphertext), b64url(cipher.getAuthTag())].join('.');
}

beforeAll(async () => {
  work = tempDir('okmsd-byok-');
  t = await startTestOkmsd();
  okmsId = (await createDomain(t, 'byok')).id;
  ({ certificatePEM: cert, privateKeyPEM: key } = (await t.api('POST', `/okms/resource/${okmsId}/credential`, { body: { name: 'byok', identityURNs: [rootUrn()] } })).json);
});
afterAll(() => t.dispose());

describe('BYOK: wrapped export and import, with openssl on the other side', () => {
  const client = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientPrivatePem = client.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  let clientTransport: string;

  it("exports an extractable key wrapped under the client's public transport key; openssl unwraps it (RSA-OAEP-256 and RSA-OAEP)", async () => {
    const transport = await call('POST', '/v1/servicekey', { name: 'client-transport', keys: [{ ...client.publicKey.export({ format: 'jwk' }), key_ops: ['wrapKey'] }] });
    expect(transport.status).toBe(201);
    expect(transport.json).toMatchObject({ class: 'PUBLIC_KEY', operations: ['wrapKey'], attributes: { extractable: true } });
    clientTransport = transport.json.id;

    const aes = (await call('POST', '/v1/servicekey', { name: 'aes', extractable: false })).json;
    expect(aes.attributes).toMatchObject({ extractable: false, never_extractable: true });
    const refused = await call('GET', `/v1/servicekey/${aes.id}?wrappingKeyId=${clientTransport}&wrappedKeyFormat=RAW&wrappingAlgorithm=RSA-OAEP-256`);
    expect([refused.status, refused.json.errors[0]]).toEqual([400, expect.stringContaining('not extractable')]);
    expect((await call('PATCH', `/v1/servicekey/${aes.id}`, { extractable: true })).json.attributes).toMatchObject({ extractable: true, never_extractable: false });
    expect((await call('PATCH', `/v1/servicekey/${aes.id}`, { extractable: false })).json.attributes).toMatchObject({ extractable: false, never_extractable: false });
    await call('PATCH', `/v1/servicekey/${aes.id}`, { extractable: true });

    const ciphertext = (await call('POST', `/v1/servicekey/${aes.id}/encrypt`, { plaintext: Buffer.from('exported and still mine').toString('base64') })).json.ciphertext;
    for (const [alg, md] of [['RSA-OAEP-256', 'sha256'], ['RSA-OAEP', 'sha1']] as const) {
      const exported = await call('GET', `/v1/servicekey/${aes.id}?wrappingKeyId=${clientTransport}&wrappedKeyFormat=RAW&wrappingAlgorithm=${alg}`);
      expect(exported.status).toBe(200);
      expect(exported.json.wrappedKeys).toEqual([{ keyFormatType: 'RAW', wrappingKeyId: clientTransport, ciphertext: expect.any(String) }]);
      expect(exported.json).not.toHaveProperty('keys');
      const raw = await opensslUnwrap(exported.json.wrappedKeys[0].ciphertext, clientPrivatePem, md);
      expect(raw).toHaveLength(32);
      // The unwrapped key is the service key: it opens what the service encrypted.
      expect(jweDecrypt(raw, aes.id, 'ciphertext', ciphertext).toString()).toBe('exported and still mine');
    }
  });

  it('exports an RSA key as PKCS8, PKCS1 and JWK: each unwraps to the key whose public half the KMS shows', async () => {
    const rsa = (await call('POST', '/v1/servicekey?format=jwk', { name: 'rsa', type: 'RSA', size: 2048, extractable: true })).json;
    const publicJwk = rsa.keys[0];
    for (const format of ['PKCS8', 'PKCS1', 'JWK'] as const) {
      const exported = await call('GET', `/v1/servicekey/${rsa.id}?wrappingKeyId=${clientTransport}&wrappedKeyFormat=${format}&wrappingAlgorithm=RSA-OAEP-256`);
      const material = await opensslUnwrap(exported.json.wrappedKeys[0].ciphertext, clientPrivatePem, 'sha256');
      const privateKey = format === 'JWK' ? createPrivateKey({ key: JSON.parse(material.toString()), format: 'jwk' }) : createPrivateKey({ key: material, format: 'der', type: format === 'PKCS1' ? 'pkcs1' : 'pkcs8' });
      expect([format, createPublicKey(privateKey).export({ format: 'jwk' }).n]).toEqual([format, publicJwk.n]);
    }
    const raw = await call('GET', `/v1/servicekey/${rsa.id}?wrappingKeyId=${clientTransport}&wrappedKeyFormat=RAW&wrappingAlgorithm=RSA-OAEP-256`);
    expect([raw.status, raw.json.errors[0]]).toEqual([400, expect.stringContaining('wrappedKeyFormat')]);
  });

  it('imports keys the client wrapped with openssl under a transport key the KMS made, and uses them', async () => {
    const transport = (await call('POST', '/v1/servicekey?format=jwk', { name: 'kms-transport', type: 'RSA', size: 3072, operations: ['unwrapKey'] })).json;
    const transportPem = createPublicKey({ key: transport.keys[0], format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;

    const aesKey = randomBytes(32);
    const imported = await call('POST', '/v1/servicekey', { name: 'byok-aes', operations: ['encrypt', 'decrypt'], wrappedKeys: [{ keyFormatType: 'RAW', wrappingKeyId: transport.id, ciphertext: await opensslWrap(aesKey, transportPem, 'RSA-OAEP-256') }] });
    expect(imported.status).toBe(201);
    expect(imported.json).toMatchObject({ type: 'oct', size: 256, class: 'SECRET_KEY', attributes: { extractable: false } });
    const ciphertext = (await call('POST', `/v1/servicekey/${imported.json.id}/encrypt`, { plaintext: Buffer.from('brought my own key').toString('base64') })).json.ciphertext;
    expect(jweDecrypt(aesKey, imported.json.id, 'ciphertext', ciphertext).toString()).toBe('brought my own key');

    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const pkcs8 = ec.privateKey.export({ type: 'pkcs8', format: 'der' });
    const signer = await call('POST', '/v1/servicekey', { name: 'byok-ec', wrappedKeys: [{ keyFormatType: 'PKCS8', wrappingKeyId: transport.id, ciphertext: await opensslWrap(pkcs8, transportPem, 'RSA-OAEP') }] });
    expect(signer.json).toMatchObject({ type: 'EC', curve: 'P-384', operations: ['sign', 'verify'] });
    const message = Buffer.from('signed by an imported key');
    const signature = (await call('POST', `/v1/servicekey/${signer.json.id}/sign`, { message: message.toString('base64'), alg: 'ES384' })).json.signature;
    expect(verify('sha384', message, { key: ec.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64'))).toBe(true);

    // Refused, naming the field, and nothing stored: a transport key without unwrapKey, a tampered JWE, a bad format.
    const bad = [
      [{ keyFormatType: 'RAW', wrappingKeyId: clientTransport, ciphertext: await opensslWrap(aesKey, transportPem, 'RSA-OAEP-256') }, 'wrappedKeys[0].wrappingKeyId'],
      [{ keyFormatType: 'RAW', wrappingKeyId: transport.id, ciphertext: `${(await opensslWrap(aesKey, transportPem, 'RSA-OAEP-256')).slice(0, -4)}AAAA` }, 'wrappedKeys[0].ciphertext'],
      [{ keyFormatType: 'PKCS1', wrappingKeyId: transport.id, ciphertext: await opensslWrap(aesKey, transportPem, 'RSA-OAEP-256') }, 'wrappedKeys[0].keyFormatType'],
    ] as const;
    const before = (await call('GET', '/v1/servicekey?state=all')).json.objects_list.length;
    for (const [entry, field] of bad) {
      const response = await call('POST', '/v1/servicekey', { name: 'bad', wrappedKeys: [entry] });
      expect([field, response.status, response.json.errors[0]]).toEqual([field, 400, expect.stringContaining(field)]);
    }
    expect((await call('GET', '/v1/servicekey?state=all')).json.objects_list.length).toBe(before);
    expect((await call('POST', `/v1/servicekey/${transport.id}/datakey`, { size: 256 })).status).toBe(400); // a transport key makes no data keys
  });

  it('checks wrapKey and unwrapKey on the transport key in IAM', async () => {
    await t.api('POST', '/iam/user', { body: { login: 'exporter' } });
    await t.api('POST', '/iam/policy', { body: { name: 'get-only', identities: [rootUrn('exporter')], resources: [{ urn: `urn:v1:eu:resource:okms:${okmsId}` }, { urn: `urn:v1:eu:resource:okms:${okmsId}/*` }], permissions: { allow: [{ action: 'okms:apikms:serviceKey/get' }, { action: 'okms:apikms:serviceKey/import' }] } } });
    const token = (await t.api('POST', '/iam/user/exporter/token', { body: {} })).json.token;
    const aes = (await call('POST', '/v1/servicekey', { name: 'aes-iam', extractable: true })).json;
    const asExporter = (path: string, method = 'GET', body?: unknown) => mtlsCall(t, `/api/${okmsId}${path}`, { method, headers: { authorization: `Bearer ${token}` }, ...(body ? { body } : {}) });
    expect((await asExporter(`/v1/servicekey/${aes.id}`)).status).toBe(200);
    const denied = await asExporter(`/v1/servicekey/${aes.id}?wrappingKeyId=${clientTransport}&wrappedKeyFormat=RAW&wrappingAlgorithm=RSA-OAEP-256`);
    expect([denied.status, denied.json.errors[0]]).toEqual([403, expect.stringContaining('serviceKey/wrapKey')]);
    const importDenied = await asExporter('/v1/servicekey', 'POST', { name: 'x', wrappedKeys: [{ keyFormatType: 'RAW', wrappingKeyId: clientTransport, ciphertext: 'a.b.c.d.e' }] });
    expect([importDenied.status, importDenied.json.errors[0]]).toEqual([403, expect.stringContaining('serviceKey/unwrapKey')]);
  });
});
