import { derToPem } from '../../src/ca/csr-input';
import { createDomain, rootUrn, startTestOkmsd, type TestOkmsd } from '../helpers/harness';
import { opensslCsr } from '../helpers/openssl';

let t: TestOkmsd;
let domainId: string;
let otherAccountDomainId: string;
const credentialPath = () => `/okms/resource/${domainId}/credential`;

beforeAll(async () => {
  t = await startTestOkmsd();
  domainId = (await createDomain(t, 'bad-input')).id;
  const other = await t.api('POST', '/account', { body: { id: 'other' } });
  otherAccountDomainId = (await createDomain(t, 'theirs', other.json.token)).id;
});
afterAll(async () => {
  await t.dispose();
});

const valid = { name: 'ok', identityURNs: [rootUrn()] };
const weakCsr = opensslCsr('rsa:1024').csrPEM;
const goodCsr = opensslCsr('P-256').csrPEM;
// Flip one bit inside the signature's DER (the last bytes): base64 edits can land on padding bits and change nothing.
const tampered = (() => {
  if (!goodCsr) return '';
  const der = Buffer.from(goodCsr.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 3]! ^= 0x01;
  return derToPem(der, 'CERTIFICATE REQUEST');
})();

interface Case {
  name: string;
  method?: string;
  path?: () => string;
  body?: unknown;
  raw?: string | Buffer;
  contentType?: string;
  token?: string | null;
  status: number;
  code: string;
  field?: string;
}

const cases: Case[] = [
  { name: 'malformed JSON', raw: '{"name": "x",', status: 400, code: 'ERR_MALFORMED_JSON', field: '(body)' },
  { name: 'JSON array body', raw: '[1,2]', status: 400, code: 'ERR_VALIDATION', field: '(body)' },
  { name: 'JSON string body', raw: '"hello"', status: 400, code: 'ERR_MALFORMED_JSON', field: '(body)' },
  { name: 'empty body', raw: '', status: 400, code: 'ERR_VALIDATION', field: '(body)' },
  { name: 'unknown field', body: { ...valid, color: 'blue' }, status: 400, code: 'ERR_VALIDATION', field: 'color' },
  { name: 'missing name', body: { identityURNs: [rootUrn()] }, status: 400, code: 'ERR_VALIDATION', field: 'name' },
  { name: 'empty name', body: { ...valid, name: '' }, status: 400, code: 'ERR_VALIDATION', field: 'name' },
  { name: 'name too long', body: { ...valid, name: 'n'.repeat(201) }, status: 400, code: 'ERR_VALIDATION', field: 'name' },
  { name: 'name with control characters', body: { ...valid, name: 'a\u0000b' }, status: 400, code: 'ERR_VALIDATION', field: 'name' },
  { name: 'name not a string', body: { ...valid, name: 42 }, status: 400, code: 'ERR_VALIDATION', field: 'name' },
  { name: 'description not a string', body: { ...valid, description: ['x'] }, status: 400, code: 'ERR_VALIDATION', field: 'description' },
  { name: 'missing identityURNs', body: { name: 'x' }, status: 400, code: 'ERR_VALIDATION', field: 'identityURNs' },
  { name: 'identityURNs empty', body: { ...valid, identityURNs: [] }, status: 400, code: 'ERR_VALIDATION', field: 'identityURNs' },
  { name: 'identityURNs not an array', body: { ...valid, identityURNs: rootUrn() }, status: 400, code: 'ERR_VALIDATION', field: 'identityURNs' },
  { name: '26 identityURNs', body: { ...valid, identityURNs: Array.from({ length: 26 }, (_, i) => rootUrn(`u${i}`)) }, status: 400, code: 'ERR_VALIDATION', field: 'identityURNs' },
  { name: 'duplicate identityURNs', body: { ...valid, identityURNs: [rootUrn(), rootUrn()] }, status: 400, code: 'ERR_VALIDATION', field: 'identityURNs' },
  { name: 'identity URN of wrong shape', body: { ...valid, identityURNs: [rootUrn(), 'urn:v1:eu:identity:user:root'] }, status: 400, code: 'ERR_URN_INVALID', field: 'identityURNs[1]' },
  { name: 'resource URN as identity', body: { ...valid, identityURNs: ['urn:v1:eu:resource:okms:abc'] }, status: 400, code: 'ERR_URN_INVALID', field: 'identityURNs[0]' },
  { name: 'identity URN of another region', body: { ...valid, identityURNs: ['urn:v1:ca:identity:account:root'] }, status: 400, code: 'ERR_URN_INVALID', field: 'identityURNs[0]' },
  { name: 'identity of another account', body: { ...valid, identityURNs: ['urn:v1:eu:identity:user:other/alice'] }, status: 403, code: 'ERR_IDENTITY_NOT_OWNED', field: 'identityURNs[0]' },
  { name: 'unknown certificateType', body: { ...valid, certificateType: 'DSA' }, status: 400, code: 'ERR_VALIDATION', field: 'certificateType' },
  { name: 'lower-case certificateType', body: { ...valid, certificateType: 'ecdsa' }, status: 400, code: 'ERR_VALIDATION', field: 'certificateType' },
  { name: 'validity 0', body: { ...valid, validity: 0 }, status: 400, code: 'ERR_VALIDATION', field: 'validity' },
  { name: 'validity 3651', body: { ...valid, validity: 3651 }, status: 400, code: 'ERR_VALIDATION', field: 'validity' },
  { name: 'validity fractional', body: { ...valid, validity: 1.5 }, status: 400, code: 'ERR_VALIDATION', field: 'validity' },
  { name: 'validity as string', body: { ...valid, validity: '30' }, status: 400, code: 'ERR_VALIDATION', field: 'validity' },
  { name: 'csr empty string', body: { ...valid, csr: '' }, status: 400, code: 'ERR_VALIDATION', field: 'csr' },
  { name: 'csr garbage', body: { ...valid, csr: 'this is not a csr' }, status: 400, code: 'ERR_CSR_INVALID', field: 'csr' },
  { name: 'csr truncated', body: { ...valid, csr: goodCsr.slice(0, 200) }, status: 400, code: 'ERR_CSR_INVALID', field: 'csr' },
  { name: 'csr truncated inside armour', body: { ...valid, csr: `${goodCsr.slice(0, 120)}\n-----END CERTIFICATE REQUEST-----` }, status: 400, code: 'ERR_CSR_INVALID', field: 'csr' },
  { name: 'csr with a bad signature', body: { ...valid, csr: tampered }, status: 400, code: 'ERR_CSR_SIGNATURE', field: 'csr' },
  { name: 'csr with a weak RSA key', body: { ...valid, csr: weakCsr }, status: 400, code: 'ERR_CSR_KEY_UNSUPPORTED', field: 'csr' },
  { name: 'csr is a private key', body: { ...valid, csr: '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----\n' }, status: 400, code: 'ERR_CSR_INVALID', field: 'csr' },
  { name: 'csr too long', body: { ...valid, csr: 'A'.repeat(40000) }, status: 400, code: 'ERR_VALIDATION', field: 'csr' },
  { name: 'body over 64 KiB', raw: JSON.stringify({ ...valid, description: 'x'.repeat(70 * 1024) }), status: 413, code: 'ERR_BODY_TOO_LARGE', field: '(body)' },
  { name: 'text/plain body', raw: 'name=x', contentType: 'text/plain', status: 415, code: 'ERR_UNSUPPORTED_MEDIA_TYPE', field: 'Content-Type' },
  { name: 'form body', raw: 'name=x', contentType: 'application/x-www-form-urlencoded', status: 415, code: 'ERR_UNSUPPORTED_MEDIA_TYPE', field: 'Content-Type' },
  { name: 'raw CSR body without query fields', path: () => credentialPath(), raw: goodCsr, contentType: 'application/pkcs10', status: 400, code: 'ERR_VALIDATION', field: 'name' },
  { name: 'raw CSR body with unknown query field', path: () => `${credentialPath()}?name=a&identityURNs=${encodeURIComponent(rootUrn())}&colour=red`, raw: goodCsr, contentType: 'application/pkcs10', status: 400, code: 'ERR_VALIDATION', field: 'colour' },
  { name: 'raw CSR body with bad query validity', path: () => `${credentialPath()}?name=a&identityURNs=${encodeURIComponent(rootUrn())}&validity=ten`, raw: goodCsr, contentType: 'application/pkcs10', status: 400, code: 'ERR_VALIDATION', field: 'validity' },
  { name: 'raw body that is not a CSR', path: () => `${credentialPath()}?name=a&identityURNs=${encodeURIComponent(rootUrn())}`, raw: Buffer.from([1, 2, 3, 4]), contentType: 'application/pkcs10', status: 400, code: 'ERR_CSR_INVALID', field: 'csr' },
  { name: 'no token', body: valid, token: null, status: 401, code: 'ERR_UNAUTHENTICATED', field: 'Authorization' },
  { name: 'wrong token', body: valid, token: 'okmsd.0123456789abcdef.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', status: 401, code: 'ERR_UNAUTHENTICATED' },
  { name: 'malformed okmsId', path: () => '/okms/resource/not-a-uuid/credential', body: valid, status: 400, code: 'ERR_VALIDATION', field: 'okmsId' },
  { name: 'unknown domain', path: () => '/okms/resource/00000000-0000-4000-8000-000000000000/credential', body: valid, status: 404, code: 'ERR_NOT_FOUND', field: 'okmsId' },
  { name: "another account's domain", path: () => `/okms/resource/${otherAccountDomainId}/credential`, body: valid, status: 404, code: 'ERR_NOT_FOUND', field: 'okmsId' },
  { name: 'unknown credential', method: 'GET', path: () => `${credentialPath()}/00000000-0000-4000-8000-000000000000`, status: 404, code: 'ERR_NOT_FOUND', field: 'credentialId' },
  { name: 'malformed credentialId', method: 'DELETE', path: () => `${credentialPath()}/x'--`, status: 400, code: 'ERR_VALIDATION', field: 'credentialId' },
  { name: 'bad cursor', method: 'GET', path: () => `${credentialPath()}?cursor=garbage`, status: 400, code: 'ERR_CURSOR_INVALID', field: 'cursor' },
  { name: 'page size 0', method: 'GET', path: () => `${credentialPath()}?limit=0`, status: 400, code: 'ERR_VALIDATION', field: 'limit' },
  { name: 'unknown list parameter', method: 'GET', path: () => `${credentialPath()}?sort=desc`, status: 400, code: 'ERR_VALIDATION', field: 'sort' },
  { name: 'method not allowed', method: 'PUT', path: () => credentialPath(), body: valid, status: 405, code: 'ERR_METHOD_NOT_ALLOWED' },
  { name: 'unknown route', method: 'GET', path: () => '/okms/nothing', status: 404, code: 'ERR_NOT_FOUND' },
  { name: 'domain: unknown caKeyAlgorithm', path: () => '/okms/resource', body: { name: 'd', caKeyAlgorithm: 'P-521' }, status: 400, code: 'ERR_VALIDATION', field: 'caKeyAlgorithm' },
  { name: 'domain: bad region', path: () => '/okms/resource', body: { name: 'd', region: 'EU WEST' }, status: 400, code: 'ERR_VALIDATION', field: 'region' },
  { name: 'account: bad id', path: () => '/account', body: { id: '../etc' }, status: 400, code: 'ERR_VALIDATION', field: 'id' },
  { name: 'renew: unknown credential', path: () => `${credentialPath()}/00000000-0000-4000-8000-000000000000/renew`, body: {}, status: 404, code: 'ERR_NOT_FOUND', field: 'credentialId' },
  { name: 'renew: negative overlap', path: () => `${credentialPath()}/00000000-0000-4000-8000-000000000000/renew`, body: { overlapSeconds: -1 }, status: 400, code: 'ERR_VALIDATION', field: 'overlapSeconds' },
  { name: 'renew: unknown field', path: () => `${credentialPath()}/00000000-0000-4000-8000-000000000000/renew`, body: { keepOld: true }, status: 400, code: 'ERR_VALIDATION', field: 'keepOld' },
  { name: 'verify: not a certificate', path: () => '/okms/verify', body: { certificate: 'hello' }, status: 400, code: 'ERR_VALIDATION', field: 'certificate' },
  { name: 'verify: nothing to verify', path: () => '/okms/verify', body: {}, status: 400, code: 'ERR_VALIDATION', field: 'certificate' },
  { name: 'verify: bad okmsId', path: () => '/okms/verify', body: { certificate: 'x', okmsId: 'nope' }, status: 400, code: 'ERR_VALIDATION', field: 'okmsId' },
];

describe('every bad input is a 4xx JSON error naming the field, and writes nothing', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const before = (await t.okmsd.store.credentials.list(domainId, { limit: 1000 })).items.length;
    const response = await t.api(c.method ?? 'POST', c.path ? c.path() : credentialPath(), {
      body: c.body, raw: c.raw, contentType: c.contentType, token: c.token,
    });
    expect(response.status).toBe(c.status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.json).toMatchObject({ code: c.code, class: expect.stringMatching(/^Client::/), message: expect.any(String), requestId: expect.any(String) });
    if (c.field !== undefined) {
      expect(response.json.field).toBe(c.field);
      expect(response.json.message).toContain(c.field === '(body)' ? '' : c.field);
    }
    expect(response.text).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack trace
    const after = (await t.okmsd.store.credentials.list(domainId, { limit: 1000 })).items.length;
    expect(after).toBe(before);
  });

  it('never answered 5xx and logged no failure', () => {
    const failures = t.logs.filter((line) => /"level":50/.test(line) || /"status":5\d\d/.test(line));
    expect(failures).toEqual([]);
  });
});
