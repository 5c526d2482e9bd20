import { createHash, randomBytes } from 'node:crypto';
import { createDomain, rootUrn, startTestOkmsd, type TestOkmsd } from '../helpers/harness';
import { mtlsCall } from '../helpers/mtls-client';
import { loadContracts, type Contract } from '../helpers/okms-contract';

/**
 * okmsd's data plane against OVHcloud's own OpenAPI description (2.17.0 from the Go module proxy; 2.14.0 too where
 * the workplace has it): every request body sent and every response received here is validated against the
 * operation's schemas in each spec. Where okmsd deliberately differs, DIFFERENCES names it (the README says why).
 */
let t: TestOkmsd;
let contracts: Contract[];
let okmsId: string;
let cert: string;
let key: string;
const counts = new Map<string, number>();
const failures: string[] = [];

/** Deliberate differences: `${spec path} ${status}: ${error}` → why. Nothing else may fail. */
const DIFFERENCES: Readonly<Record<string, string>> = Object.fromEntries([
  ...['/v1/servicekey 400', '/v1/servicekey/{keyId} 404', '/v2/secret/{path} 404', '/v2/secret 409'].map((at) => [
    `${at}: / must NOT have additional properties (reason)`,
    "okmsd's error body adds `reason`, a stable machine-readable name of the refusal (okms-sdk-go decodes ErrorResponse with encoding/json, which ignores it)",
  ]),
  ['/v2/secret 409: status 409 is not documented for POST /api/{okmsId}/v2/secret', 'a path that is taken is a 409 Conflict (OKMS documents no status for it); okms-cli prints the error body either way'],
]);

/** What an older spec does not know yet: okmsd follows the newer one. */
const OLDER_SPEC: ReadonlyArray<{ version: string; match: RegExp; why: string }> = [
  { version: '2.14.0', match: /must NOT have additional properties \(class\)$/, why: "a service key's class (SECRET_KEY, KEY_PAIR, PUBLIC_KEY) came with BYOK in 2.17.0" },
];

const b64 = (data: string | Buffer) => Buffer.from(data).toString('base64');

async function call(method: string, specPath: string, path: string, body?: unknown, options: { raw?: string; headers?: Record<string, string>; versions?: string[]; invalid?: true } = {}) {
  const response = await mtlsCall(t, `/api/${okmsId}${path}`, { method, cert, key, ...(options.raw !== undefined ? { raw: options.raw } : body === undefined ? {} : { body }), ...(options.headers ? { headers: options.headers } : {}) });
  for (const contract of contracts) {
    if (options.versions && !options.versions.includes(contract.version)) continue;
    const name = `${method} ${specPath}`;
    const errors = [
      ...(body === undefined || options.invalid ? [] : contract.check(method, `/api/{okmsId}${specPath}`, 'request', 0, body).map((e) => `request ${e}`)),
      ...contract.check(method, `/api/{okmsId}${specPath}`, 'response', response.status, response.json).map((e) => `${response.status}: ${e}`),
    ];
    for (const error of errors) {
      const named = DIFFERENCES[`${specPath} ${error}`] ?? OLDER_SPEC.find((d) => d.version === contract.version && d.match.test(error))?.why;
      if (!named) failures.push(`[${contract.version}] ${name} ${error}`);
    }
    counts.set(`${contract.version} ${name}`, (counts.get(`${contract.version} ${name}`) ?? 0) + 1);
  }
  return response;
}

beforeAll(async () => {
  contracts = loadContracts();
  t = await startTestOkmsd();
  okmsId = (await createDomain(t, 'contract')).id;
  ({ certificatePEM: cert, privateKeyPEM: key } = (await t.api('POST', `/okms/resource/${okmsId}/credential`, { body: { name: 'contract', identityURNs: [rootUrn()] } })).json);
}, 120_000);
afterAll(async () => {
  const table = [...counts.entries()].sort().map(([operation, n]) => `${operation}: ${n}`).join('\n');
  process.stdout.write(`OKMS contract validations per operation (${[...counts.values()].reduce((a, b) => a + b, 0)} in all):\n${table}\n`);
  await t?.dispose();
});

describe("okmsd's data plane against OVHcloud's OKMS OpenAPI description", () => {
  it('loads 2.17.0 (and 2.14.0 where present)', () => {
    expect(contracts.map((c) => c.version)).toContain('2.17.0');
  });

  it('service keys: create, import, list, get, update, activate, deactivate, delete, encrypt, decrypt, data keys, sign, verify, random', async () => {
    const oct = (await call('POST', '/v1/servicekey', '/v1/servicekey', { name: 'oct', type: 'oct', size: 256, operations: ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'], context: 'ctx' })).json;
    const ec = (await call('POST', '/v1/servicekey', '/v1/servicekey?format=jwk', { name: 'ec', type: 'EC', curve: 'P-256', operations: ['sign', 'verify'] })).json;
    await call('POST', '/v1/servicekey', '/v1/servicekey', { name: 'rsa', type: 'RSA', size: 2048, operations: ['sign', 'verify'] });
    await call('POST', '/v1/servicekey', '/v1/servicekey', { name: 'imported', keys: [{ kty: 'oct', k: randomBytes(32).toString('base64url'), key_ops: ['encrypt', 'decrypt'] }] });
    await call('POST', '/v1/servicekey', '/v1/servicekey', { name: 'x', type: 'oct', size: 100 }, { invalid: true }); // a 400, its body checked
    await call('GET', '/v1/servicekey', '/v1/servicekey?max=10&state=all');
    await call('GET', '/v1/servicekey/{keyId}', `/v1/servicekey/${oct.id}`);
    await call('GET', '/v1/servicekey/{keyId}', `/v1/servicekey/${ec.id}?format=jwk`);
    await call('GET', '/v1/servicekey/{keyId}', '/v1/servicekey/5f0c4a5e-0000-4000-8000-000000000000'); // 404
    await call('PATCH', '/v1/servicekey/{keyId}', `/v1/servicekey/${oct.id}`, { name: 'renamed' });
    const encrypted = (await call('POST', '/v1/servicekey/{keyId}/encrypt', `/v1/servicekey/${oct.id}/encrypt`, { plaintext: b64('hello'), context: 'c' })).json;
    await call('POST', '/v1/servicekey/{keyId}/decrypt', `/v1/servicekey/${oct.id}/decrypt`, { ciphertext: encrypted.ciphertext, context: 'c' });
    const dataKey = (await call('POST', '/v1/servicekey/{keyId}/datakey', `/v1/servicekey/${oct.id}/datakey`, { name: 'dk', size: 256 })).json;
    await call('POST', '/v1/servicekey/{keyId}/datakey/decrypt', `/v1/servicekey/${oct.id}/datakey/decrypt`, { key: dataKey.key });
    const digest = createHash('sha256').update('m').digest();
    const signed = (await call('POST', '/v1/servicekey/{keyId}/sign', `/v1/servicekey/${ec.id}/sign`, { message: b64(digest), alg: 'ES256', isdigest: true })).json;
    await call('POST', '/v1/servicekey/{keyId}/verify', `/v1/servicekey/${ec.id}/verify`, { message: b64(digest), signature: signed.signature, alg: 'ES256', isdigest: true });
    await call('POST', '/v1/servicekey/{keyId}/deactivate', `/v1/servicekey/${oct.id}/deactivate`, { reason: 'key_compromise' });
    await call('GET', '/v1/servicekey/{keyId}', `/v1/servicekey/${oct.id}`);
    await call('POST', '/v1/servicekey/{keyId}/activate', `/v1/servicekey/${ec.id}/activate`);
    await call('DELETE', '/v1/servicekey/{keyId}', `/v1/servicekey/${oct.id}`);
    await call('GET', '/v1/servicekey/{keyId}', `/v1/servicekey/${oct.id}`);
    await call('GET', '/v1/random', '/v1/random?length=32');
    // BYOK (2.17.0 only): a transport key, a wrapped export, a wrapped import of what was exported.
    const transport = (await call('POST', '/v1/servicekey', '/v1/servicekey', { name: 'transport', type: 'RSA', size: 2048, operations: ['wrapKey', 'unwrapKey'] })).json;
    const extractable = (await call('POST', '/v1/servicekey', '/v1/servicekey', { name: 'out', type: 'oct', size: 256, extractable: true }, { versions: ['2.17.0'] })).json;
    await call('PATCH', '/v1/servicekey/{keyId}', `/v1/servicekey/${extractable.id}`, { extractable: true }, { versions: ['2.17.0'] });
    const exported = (await call('GET', '/v1/servicekey/{keyId}', `/v1/servicekey/${extractable.id}?wrappingKeyId=${transport.id}&wrappedKeyFormat=JWK&wrappingAlgorithm=RSA-OAEP-256`, undefined, { versions: ['2.17.0'] })).json;
    await call('POST', '/v1/servicekey', '/v1/servicekey', { name: 'in', wrappedKeys: exported.wrappedKeys }, { versions: ['2.17.0'] });
    expect(failures).toEqual([]);
  });

  it('the Secret Manager: create, list, get, update, versions, version states, secretConfig, delete', async () => {
    await call('POST', '/v2/secret', '/v2/secret', { path: 'c/db', version: { data: { a: 'b' } }, metadata: { maxVersions: 5, casRequired: false, customMetadata: { team: 'x' }, deactivateVersionAfter: '0s' } });
    await call('POST', '/v2/secret', '/v2/secret', { path: 'c/db', version: { data: {} } }); // 409
    await call('GET', '/v2/secret', '/v2/secret', undefined, { headers: { 'x-pagination-size': '10' } });
    await call('GET', '/v2/secret/{path}', '/v2/secret/c%2Fdb?includeData=true');
    await call('GET', '/v2/secret/{path}', '/v2/secret/c%2Fnone'); // 404
    await call('PUT', '/v2/secret/{path}', '/v2/secret/c%2Fdb?cas=1', { version: { data: { a: 'c' } } });
    await call('PUT', '/v2/secret/{path}', '/v2/secret/c%2Fdb', { metadata: { maxVersions: 6 } });
    await call('GET', '/v2/secret/{path}/version', '/v2/secret/c%2Fdb/version');
    await call('POST', '/v2/secret/{path}/version', '/v2/secret/c%2Fdb/version?cas=2', { data: { a: 'd' } });
    await call('GET', '/v2/secret/{path}/version/{version}', '/v2/secret/c%2Fdb/version/2?includeData=true');
    await call('PUT', '/v2/secret/{path}/version/{version}', '/v2/secret/c%2Fdb/version/1', { state: 'deactivated' });
    await call('PUT', '/v2/secret/{path}/version/{version}', '/v2/secret/c%2Fdb/version/1', { state: 'deleted' });
    await call('GET', '/v2/secretConfig', '/v2/secretConfig');
    await call('PUT', '/v2/secretConfig', '/v2/secretConfig', { casRequired: false, maxVersions: 12, deactivateVersionAfter: '0s' });
    await call('DELETE', '/v2/secret/{path}', '/v2/secret/c%2Fdb');
    expect(failures).toEqual([]);
  });

  it('the Vault KV v2 API: config, data, subkeys, delete, undelete, destroy, metadata', async () => {
    await call('GET', '/v1/secret/config', '/v1/secret/config');
    await call('POST', '/v1/secret/config', '/v1/secret/config', { max_versions: 10, cas_required: false, delete_version_after: '0s' });
    await call('POST', '/v1/secret/data/{path}', '/v1/secret/data/v%2Fapp', { data: { a: 1, b: { c: 2 } }, options: { cas: 0 } });
    await call('GET', '/v1/secret/data/{path}', '/v1/secret/data/v%2Fapp');
    await call('PATCH', '/v1/secret/data/{path}', '/v1/secret/data/v%2Fapp', undefined, { raw: JSON.stringify({ data: { d: 4 } }), headers: { 'content-type': 'application/merge-patch+json' } });
    await call('GET', '/v1/secret/subkeys/{path}', '/v1/secret/subkeys/v%2Fapp?depth=0');
    await call('POST', '/v1/secret/delete/{path}', '/v1/secret/delete/v%2Fapp', { versions: [1] });
    await call('POST', '/v1/secret/undelete/{path}', '/v1/secret/undelete/v%2Fapp', { versions: [1] });
    await call('PUT', '/v1/secret/destroy/{path}', '/v1/secret/destroy/v%2Fapp', { versions: [1] });
    await call('GET', '/v1/secret/metadata/{path}', '/v1/secret/metadata/v%2Fapp');
    await call('GET', '/v1/secret/metadata/{path}', '/v1/secret/metadata/v?list=true');
    await call('POST', '/v1/secret/metadata/{path}', '/v1/secret/metadata/v%2Fapp', { max_versions: 4, custom_metadata: { k: 'v' } });
    await call('DELETE', '/v1/secret/data/{path}', '/v1/secret/data/v%2Fapp');
    await call('DELETE', '/v1/secret/metadata/{path}', '/v1/secret/metadata/v%2Fapp');
    await call('GET', '/v1/secret/data/{path}', '/v1/secret/data/v%2Fapp'); // 404
    expect(failures).toEqual([]);
  });
});
