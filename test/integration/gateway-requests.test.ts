import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createDomain, rootUrn, startTestOkmsd, type TestOkmsd } from '../helpers/harness';
import { mtlsCall } from '../helpers/mtls-client';

/**
 * The data plane reads its requests itself (no framework): every malformed request is a 4xx in the OKMS error
 * shape naming what is wrong, audited like any other refused call, and the connection stays usable.
 */
let t: TestOkmsd;
let domain: { id: string };
let client: { cert: string; key: string };
let keyId: string;

beforeAll(async () => {
  t = await startTestOkmsd();
  domain = await createDomain(t, 'requests');
  const created = await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name: 'root', identityURNs: [rootUrn()] } });
  client = { cert: created.json.certificatePEM, key: created.json.privateKeyPEM };
  const key = await mtlsCall(t, `/api/${domain.id}/v1/servicekey`, { ...client, method: 'POST', body: { name: 'aes', type: 'oct', size: 256, operations: ['encrypt', 'decrypt'] } });
  expect(key.status).toBe(201);
  keyId = key.json.id;
});
afterAll(async () => {
  await t.dispose();
});

const encryptPath = () => `/api/${domain.id}/v1/servicekey/${keyId}/encrypt`;
const lastAudit = async () => JSON.parse((await t.okmsd.store.audit.last())!.record);

describe('data-plane requests the gateway refuses', () => {
  // `decision` is IAM's: a body that cannot be read is refused before it, a body the operation rejects after it.
  const cases: Array<{ name: string; raw: string | Buffer; headers?: Record<string, string>; status: number; reason: string; names: string; decision?: string }> = [
    { name: 'malformed JSON', raw: '{"plaintext": "aGk=",', status: 400, reason: 'bad_request', names: '(body)' },
    { name: 'a form body', raw: 'plaintext=aGk=', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, reason: 'unsupported_media_type', names: 'Content-Type' },
    { name: 'no content type', raw: '{"plaintext":"aGk="}', headers: { 'content-type': '' }, status: 415, reason: 'unsupported_media_type', names: 'Content-Type' },
    { name: 'a UTF-16 body', raw: '{"plaintext":"aGk="}', headers: { 'content-type': 'application/json; charset=utf-16' }, status: 415, reason: 'unsupported_media_type', names: 'UTF-8' },
    { name: 'a body over 64 KiB', raw: JSON.stringify({ plaintext: 'A'.repeat(70 * 1024) }), status: 413, reason: 'body_too_large', names: '64 KiB' },
    { name: 'a JSON array', raw: '[1,2]', status: 400, reason: 'bad_request', names: 'body', decision: 'allow' },
    { name: 'a number for plaintext', raw: '{"plaintext": 12}', status: 400, reason: 'bad_request', names: 'plaintext', decision: 'allow' },
  ];
  it.each(cases)('$name: $status $reason, audited, naming $names', async ({ raw, headers, status, reason, names, decision = 'deny' }) => {
    const response = await mtlsCall(t, encryptPath(), { ...client, method: 'POST', raw, ...(headers ? { headers } : {}) });
    expect(response.status).toBe(status);
    expect(response.json).toMatchObject({ reason, error_code: expect.any(Number), request_id: expect.any(String) });
    expect(response.json.errors[0]).toContain(names);
    expect(await lastAudit()).toMatchObject({ plane: 'gateway', decision, reason, status, action: 'okms:apikms:serviceKey/encrypt', requestId: response.json.request_id });
  });

  it('a query parameter given twice is refused by name', async () => {
    const response = await mtlsCall(t, `/api/${domain.id}/v1/servicekey?max=1&max=2`, client);
    expect(response.status).toBe(400);
    expect(response.json.errors[0]).toBe('max: given more than once');
  });

  it('an unknown path is a 404, a known path with another method a 405 with Allow, in the OKMS shape; a key id that is no UUID is a 400 naming keyId', async () => {
    for (const [method, path] of [['GET', `/api/${domain.id}/v1/nothing`], ['GET', '/'], ['GET', `/api/${domain.id}/v1/servicekey/${keyId}/encrypt/more`]] as const) {
      const response = await mtlsCall(t, path, { ...client, method });
      expect(response.status).toBe(404);
      expect(response.json).toMatchObject({ reason: 'not_found', errors: [`no data-plane route for ${method} ${path}`] });
    }
    for (const method of ['PUT', 'TRACE'] as const) {
      const response = await mtlsCall(t, encryptPath(), { ...client, method });
      expect(response.status).toBe(405);
      expect(response.headers['allow']).toBe('POST');
      expect(response.json).toMatchObject({ reason: 'method_not_allowed' });
    }
    const bad = await mtlsCall(t, `/api/${domain.id}/v1/servicekey/not%20a%20uuid`, client);
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0]).toBe('keyId: "not a uuid" is not a UUID');
  });

  it('a trailing slash, percent-encoded segments and an echoed X-Request-Id are served as usual', async () => {
    const encoded = `/api/${domain.id}/v1/servicekey/${keyId.replace('-', '%2D')}/`;
    const response = await mtlsCall(t, encoded, { ...client, headers: { 'x-request-id': 'trace-42' } });
    expect(response.status).toBe(200);
    expect(response.json.id).toBe(keyId);
    expect(await lastAudit()).toMatchObject({ requestId: 'trace-42', decision: 'allow', resource: expect.stringContaining(`/serviceKey/${keyId}`) });
  });

  it('a refused oversized body closes the connection; other refusals keep it open for the next call', async () => {
    const { Agent } = await import('node:https');
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: t.okmsd.gatewayCaPEM, ...client });
    try {
      const first = await mtlsCall(t, encryptPath(), { ...client, method: 'POST', raw: '{', agent });
      const second = await mtlsCall(t, encryptPath(), { ...client, method: 'POST', body: { plaintext: 'aGk=' }, agent });
      expect([first.status, second.status]).toEqual([400, 200]);
      expect(second.localPort).toBe(first.localPort);
      const big = await mtlsCall(t, encryptPath(), { ...client, method: 'POST', raw: 'x'.repeat(65 * 1024 + 1), agent });
      const after = await mtlsCall(t, encryptPath(), { ...client, method: 'POST', body: { plaintext: 'aGk=' }, agent });
      expect([big.status, after.status]).toEqual([413, 200]);
      expect(after.localPort).not.toBe(big.localPort);
    } finally {
      agent.destroy();
    }
  });
});

describe('the audit record of an answered call', () => {
  it('is committed before the reply leaves, also when its fsync is deferred (encrypt) or immediate (create)', async () => {
    const reader = new Database(join(t.dataDir, 'okmsd.sqlite'), { readonly: true });
    try {
      const find = reader.prepare("SELECT record FROM audit WHERE json_extract(record, '$.requestId') = ?");
      for (let i = 0; i < 40; i += 1) {
        const requestId = `commit-check-${i}`;
        const response = i % 8 === 0
          ? await mtlsCall(t, `/api/${domain.id}/v1/servicekey`, { ...client, method: 'POST', body: { name: `k${i}`, type: 'oct', size: 128, operations: ['encrypt'] }, headers: { 'x-request-id': requestId } })
          : await mtlsCall(t, encryptPath(), { ...client, method: 'POST', body: { plaintext: 'aGk=' }, headers: { 'x-request-id': requestId } });
        expect(response.status).toBeLessThan(300);
        expect({ requestId, recorded: find.get(requestId) !== undefined }).toEqual({ requestId, recorded: true });
      }
    } finally {
      reader.close();
    }
  });
});
