import { createDomain, rootUrn, startTestOkmsd, type TestOkmsd } from '../helpers/harness';
import { mtlsCall } from '../helpers/mtls-client';
import { opensslCsr } from '../helpers/openssl';

let t: TestOkmsd;
beforeAll(async () => {
  t = await startTestOkmsd();
});
afterAll(async () => {
  await t.dispose();
});

const value = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

it('/metrics reports issuance, gateway decisions and refusals, credentials by status and store latency', async () => {
  const domain = await createDomain(t, 'metrics');
  const path = `/okms/resource/${domain.id}/credential`;
  const root = (await t.api('POST', path, { body: { name: 'm1', identityURNs: [rootUrn()], validity: 30 } })).json;
  await t.api('POST', path, { body: { name: 'm2', identityURNs: [rootUrn()], validity: 90 } });
  await t.api('POST', path, { body: { name: 'm3', identityURNs: [rootUrn()], csr: opensslCsr('P-256').csrPEM } });
  expect((await mtlsCall(t, `/api/${domain.id}/v1/random`, { cert: root.certificatePEM, key: root.privateKeyPEM })).status).toBe(200);
  expect((await mtlsCall(t, `/api/${domain.id}/v1/random`)).status).toBe(401);

  const response = await t.api('GET', '/metrics', { token: null });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  const text = response.text;
  expect(value(text, 'okmsd_credentials_issued_total{certificate_type="ECDSA",path="server_key"}')).toBe(2);
  expect(value(text, 'okmsd_credentials_issued_total{certificate_type="ECDSA",path="csr"}')).toBe(1);
  expect(value(text, 'okmsd_credential_issuance_seconds_count{certificate_type="ECDSA",path="server_key"}')).toBe(2);
  expect(value(text, 'okmsd_gateway_requests_total{decision="allow",reason="root_identity"}')).toBe(1);
  expect(value(text, 'okmsd_gateway_requests_total{decision="deny",reason="cert_missing"}')).toBe(1);
  expect(value(text, 'okmsd_gateway_client_certificate_refusals_total{reason="cert_missing"}')).toBe(1);
  expect(value(text, 'okmsd_credentials{status="READY"}')).toBe(3);
  const soonest = value(text, 'okmsd_credential_soonest_expiry_days')!;
  expect(soonest).toBeGreaterThan(29.9);
  expect(soonest).toBeLessThanOrEqual(30);
  expect(value(text, 'okmsd_store_write_seconds_count')).toBeGreaterThan(3);
  // Labels are closed sets: no ids, serials, URNs or tokens.
  expect(text).not.toContain(domain.id);
  expect(text).not.toContain('urn:');
});
