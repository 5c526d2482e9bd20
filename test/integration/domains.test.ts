import { createDomain, startTestOkmsd, type TestOkmsd } from '../helpers/harness';
import { opensslText } from '../helpers/openssl';

let t: TestOkmsd;
beforeAll(async () => {
  t = await startTestOkmsd();
});
afterAll(async () => {
  await t.dispose();
});

describe('domains (OKMS resources)', () => {
  it('creates a domain in the OKMS shape, with its own CA', async () => {
    const response = await t.api('POST', '/okms/resource', { body: { name: 'payments', region: 'eu-west-rbx' } });
    expect(response.status).toBe(201);
    const domain = response.json;
    expect(domain.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(domain).toMatchObject({
      name: 'payments',
      region: 'eu-west-rbx',
      iam: { id: domain.id, urn: `urn:v1:eu:resource:okms:${domain.id}`, displayName: 'payments' },
      caKeyAlgorithm: 'P-256',
      restEndpoint: `https://127.0.0.1:${t.okmsd.gatewayPort}`,
      restEndpointCA: t.okmsd.gatewayCaPEM,
      kmipEndpoint: `127.0.0.1:${t.okmsd.kmipPort}`,
    });
    expect(domain.publicCA).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    const get = await t.api('GET', `/okms/resource/${domain.id}`);
    expect(get.status).toBe(200);
    expect(get.json).toEqual(domain);
  });

  it('gives two domains two different CAs', async () => {
    const a = await createDomain(t, 'a');
    const b = await createDomain(t, 'b');
    expect(a.publicCA).not.toBe(b.publicCA);
  });

  it('lists in a stable order with a keyset cursor in X-Pagination-Cursor-Next', async () => {
    for (let i = 0; i < 5; i += 1) await createDomain(t, `page-${i}`);
    const all = (await t.api('GET', '/okms/resource?limit=1000')).json as Array<{ id: string }>;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const headers: Record<string, string> = cursor ? { 'X-Pagination-Cursor': cursor } : {};
      const page = await t.api('GET', '/okms/resource', { headers: { ...headers, 'X-Pagination-Size': '2' } });
      expect(page.status).toBe(200);
      expect(page.json.length).toBeLessThanOrEqual(2);
      seen.push(...page.json.map((d: { id: string }) => d.id));
      cursor = page.headers.get('x-pagination-cursor-next');
    } while (cursor);
    expect(seen).toEqual(all.map((d) => d.id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('makes a P-384 CA on request', async () => {
    const response = await t.api('POST', '/okms/resource', { body: { name: 'p384', caKeyAlgorithm: 'P-384' } });
    expect(response.status).toBe(201);
    expect(response.json.caKeyAlgorithm).toBe('P-384');
  });
});

describe('domain CA profile', () => {
  it('is a CA (pathlen 0) that may sign certificates and CRLs, with SKI = AKI', async () => {
    const domain = await createDomain(t, 'profile');
    const text = opensslText(domain.publicCA);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(text).toMatch(/Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toContain('ecdsa-with-SHA256');
    expect(text).toContain('NIST CURVE: P-256');
    const ski = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(text)?.[1];
    const aki = /Authority Key Identifier:\s+(?:keyid:)?([0-9A-F:]+)/.exec(text)?.[1];
    expect(ski).toBeDefined();
    expect(aki).toBe(ski);
  });
});

describe('accounts see only their own domains', () => {
  it('answers 404 for another account and lists nothing of it', async () => {
    const created = await t.api('POST', '/account', { body: { id: 'acme', description: 'tenant' } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ account: 'acme', urn: 'urn:v1:eu:identity:account:acme' });
    const acmeToken = created.json.token as string;
    expect(acmeToken).toMatch(/^okmsd\.[0-9a-f]{16}\./);

    const me = await t.api('GET', '/me', { token: acmeToken });
    expect(me.json).toEqual({ account: 'acme', urn: 'urn:v1:eu:identity:account:acme', isRoot: false });

    const rootDomain = await createDomain(t, 'root-only');
    const acmeDomain = await createDomain(t, 'acme-only', acmeToken);
    expect((await t.api('GET', `/okms/resource/${rootDomain.id}`, { token: acmeToken })).status).toBe(404);
    expect((await t.api('GET', `/okms/resource/${acmeDomain.id}`)).status).toBe(404);
    expect((await t.api('GET', `/okms/resource/${rootDomain.id}/credential`, { token: acmeToken })).status).toBe(404);
    const acmeList = (await t.api('GET', '/okms/resource', { token: acmeToken })).json as Array<{ id: string }>;
    expect(acmeList.map((d) => d.id)).toEqual([acmeDomain.id]);

    const forbidden = await t.api('POST', '/account', { body: { id: 'sneaky' }, token: acmeToken });
    expect(forbidden.status).toBe(403);
    const duplicate = await t.api('POST', '/account', { body: { id: 'acme' } });
    expect(duplicate.status).toBe(409);
  });
});

describe('health', () => {
  it('answers /healthz and /readyz without a token', async () => {
    expect((await t.api('GET', '/healthz', { token: null })).json).toEqual({ status: 'ok' });
    expect((await t.api('GET', '/readyz', { token: null })).json).toEqual({ status: 'ready', store: 'embedded' });
  });
});
