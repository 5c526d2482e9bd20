import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDomain, removeDir, rootUrn, startTestOkmsd, tempDir, type TestOkmsd } from '../helpers/harness';
import { mtlsCall } from '../helpers/mtls-client';

/**
 * PyKMIP (PyPI 0.11.0, tools/kmip-clients/install.sh, which .ci/run calls), the reference Python KMIP client, against
 * okmsd's KMIP server with an okmsd-issued access certificate: the operations vCenter-like clients use, and the key it
 * makes over KMIP is a service key over REST. Never skipped: without PyKMIP the suite fails.
 */
const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
let t: TestOkmsd;
let work: string;
let python: string;
let domain: { id: string };
let files: { cert: string; key: string; ca: string };

beforeAll(async () => {
  python = (await run('bash', [join(ROOT, 'tools', 'kmip-clients', 'install.sh')], { encoding: 'utf8' })).stdout.trim().split('\n').pop()!;
  work = tempDir('okmsd-pykmip-');
  t = await startTestOkmsd();
  domain = await createDomain(t, 'pykmip');
  const credential = (await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name: 'pykmip', identityURNs: [rootUrn()] } })).json;
  files = { cert: join(work, 'client.crt'), key: join(work, 'client.key'), ca: join(work, 'ca.pem') };
  writeFileSync(files.cert, credential.certificatePEM);
  writeFileSync(files.key, credential.privateKeyPEM, { mode: 0o600 });
  writeFileSync(files.ca, t.okmsd.gatewayCaPEM);
}, 300_000);
afterAll(async () => {
  await t?.dispose();
  if (work) removeDir(work);
});

describe('PyKMIP against the KMIP server', () => {
  it('discovers versions, queries, creates, activates, gets, locates, registers secret data, makes a key pair, revokes and destroys', async () => {
    const { stdout } = await run(python, [join(ROOT, 'tools', 'kmip-clients', 'pykmip-run.py'), String(t.okmsd.kmipPort), files.cert, files.key, files.ca], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: work } });
    const seen = JSON.parse(stdout);
    process.stdout.write(`PyKMIP run: ${stdout}`);
    expect(seen).toMatchObject({
      versions: ['1.4', '1.3', '1.2', '1.1', '1.0'],
      create_state: 'PRE_ACTIVE',
      get: { type: 'SymmetricKey', bytes: 32, algorithm: 'AES', length: 256 },
      attributes: { State: 'ACTIVE', 'Cryptographic Length': 256, Name: 'pykmip-aes', 'Cryptographic Algorithm': 'AES' },
      locate_by_name: true, locate_active_aes: true,
      secret: 'the vCenter password',
      key_pair: { public: 'PublicKey', public_format: 'X_509', private: 'PrivateKey' },
      revoked_state: 'DEACTIVATED',
      missing: expect.stringContaining('ITEM_NOT_FOUND'),
    });
    expect(seen.query_operations).toEqual(expect.arrayContaining(['CREATE', 'CREATE_KEY_PAIR', 'REGISTER', 'LOCATE', 'GET', 'GET_ATTRIBUTES', 'GET_ATTRIBUTE_LIST', 'ACTIVATE', 'REVOKE', 'DESTROY', 'QUERY', 'DISCOVER_VERSIONS']));
    expect(seen.query_objects).toEqual(['OPAQUE_DATA', 'PRIVATE_KEY', 'PUBLIC_KEY', 'SECRET_DATA', 'SYMMETRIC_KEY'].filter((o) => seen.query_objects.includes(o)));
    expect(seen.after_destroy).not.toBe('readable');

    // One key store: what PyKMIP made is a service key over REST, destroyed there too.
    const { certificatePEM: cert, privateKeyPEM: key } = (await t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name: 'rest', identityURNs: [rootUrn()] } })).json;
    const keys = (await mtlsCall(t, `/api/${domain.id}/v1/servicekey?state=all`, { cert, key })).json.objects_list as Array<{ name: string; attributes: { state: string }; type: string }>;
    expect(keys.find((k) => k.name === 'pykmip-aes')).toMatchObject({ type: 'oct', attributes: { state: 'destroyed' } });
    expect(keys.find((k) => k.name === 'pykmip-rsa')).toMatchObject({ type: 'RSA', attributes: { state: 'pre_active' } });
    // Every KMIP call is audited.
    const audit = JSON.stringify((await t.api('GET', '/audit?limit=1000')).json);
    for (const action of ['okms:kmip:create', 'okms:kmip:get', 'okms:kmip:register', 'okms:kmip:createKeyPair', 'okms:kmip:destroy']) expect(audit).toContain(action);
  }, 120_000);
});
