import { execFileSync } from 'node:child_process';
import { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { DomainRecord } from '../../src/domain/types';
import { ClientAuthenticator } from '../../src/http/gateway/authenticate-client';
import { GatewayError } from '../../src/http/pipeline/okms-error';
import { USER } from '../../src/iam/iam-entities';
import { openServices, type ServiceSet } from '../helpers/services';

let s: ServiceSet;
let auth: ClientAuthenticator;
let domain: DomainRecord;
let other: DomainRecord;
const alice = 'urn:v1:eu:identity:user:acme/alice';
const socket = new TLSSocket(new Socket()); // never connected: the forwarded-certificate path does not read it

beforeAll(async () => {
  s = await openServices();
  auth = new ClientAuthenticator(s.store, s.revocations, s.clock.now);
  [domain, other] = [await s.newDomain(), await s.newDomain()];
  await s.iam.create(s.account, USER, { login: 'alice' });
});
afterAll(async () => {
  socket.destroy();
  await s.close();
});

const issue = async (target = domain, validity = 30) => (await s.credentials.create(s.account, target, { name: 'c', identityURNs: [alice], validity })).credential;
const reasonOf = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: unknown) => (error instanceof GatewayError ? error.reason : String(error)));

describe('client authentication (the certificate → the credential record)', () => {
  it('accepts a certificate of this domain and returns its credential record', async () => {
    const credential = await issue();
    const caller = await auth.authenticate(socket, domain.id, credential.certificatePEM);
    expect(caller.domain.id).toBe(domain.id);
    expect(caller.credential).toMatchObject({ id: credential.id, identityURNs: [alice], serial: credential.serial });
  });

  it('refuses a connection without a client certificate', async () => {
    expect(await reasonOf(auth.authenticate(socket, domain.id))).toBe('cert_missing');
  });

  it("refuses another domain's certificate as wrong_domain, and one of no domain's CA as untrusted", async () => {
    const foreign = await issue(other);
    expect(await reasonOf(auth.authenticate(socket, domain.id, foreign.certificatePEM))).toBe('wrong_domain');
    const selfSigned = execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=mallory', '-days', '1', '-keyout', '/dev/null'], { encoding: 'utf8' });
    expect(await reasonOf(auth.authenticate(socket, domain.id, selfSigned))).toBe('cert_untrusted');
    expect(await reasonOf(auth.authenticate(socket, domain.id, 'not a certificate'))).toBe('cert_untrusted');
  });

  it('refuses an unknown domain', async () => {
    const credential = await issue();
    expect(await reasonOf(auth.authenticate(socket, '00000000-0000-4000-8000-000000000000', credential.certificatePEM))).toBe('domain_not_found');
  });

  it('refuses a revoked certificate on the next request', async () => {
    const credential = await issue();
    expect(await reasonOf(auth.authenticate(socket, domain.id, credential.certificatePEM))).toBe('accepted');
    await s.credentials.revoke(domain, credential.id);
    expect(await reasonOf(auth.authenticate(socket, domain.id, credential.certificatePEM))).toBe('cert_revoked');
  });

  it('refuses a certificate past its validity, on the injected clock', async () => {
    const credential = await issue(domain, 1);
    s.clock.advance(2 * 86_400_000);
    try {
      expect(await reasonOf(auth.authenticate(socket, domain.id, credential.certificatePEM))).toBe('cert_expired');
    } finally {
      s.clock.advance(-2 * 86_400_000);
    }
  });

  it('refuses a certificate whose record is gone, or whose record names other identities', async () => {
    const credential = await issue();
    const record = (await s.store.credentials.get(domain.id, credential.id))!;
    await s.store.credentials.revoke(domain.id, credential.id, s.clock.now().toISOString(), 'test');
    const fresh = new ClientAuthenticator(s.store, s.revocations, s.clock.now); // a node that has not heard of the revocation
    expect(await reasonOf(fresh.authenticate(socket, domain.id, credential.certificatePEM))).toBe('cert_unknown');
    await s.store.credentials.create({ ...record, identityURNs: ['urn:v1:eu:identity:account:acme'], version: 1 });
    expect(await reasonOf(fresh.authenticate(socket, domain.id, credential.certificatePEM))).toBe('cert_identity_mismatch');
  });
});
