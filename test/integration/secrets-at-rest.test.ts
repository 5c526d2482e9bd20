import { createPrivateKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyHierarchy } from '../../src/kms/key-hierarchy';
import { loadMasterKey } from '../../src/kms/master-key';
import { ADMIN_TOKEN, createDomain, removeDir, rootUrn, startTestOkmsd, type TestOkmsd } from '../helpers/harness';

/** Every representation of a secret that could leak: PEM text, DER bytes, base64 and hex of both, the raw scalar. */
function representations(secret: { pem: string }): Array<[string, Buffer]> {
  const key = createPrivateKey(secret.pem);
  const der = key.export({ format: 'der', type: 'pkcs8' });
  const d = Buffer.from(String(key.export({ format: 'jwk' }).d), 'base64url');
  const b64 = der.toString('base64');
  return [
    ['DER', der],
    ['base64 of DER', Buffer.from(b64)],
    ['a PEM line', Buffer.from(b64.slice(64, 128))],
    ['escaped PEM', Buffer.from(JSON.stringify(secret.pem).slice(1, 80))],
    ['private scalar', d.subarray(0, 32)],
    ['private scalar hex', Buffer.from(d.subarray(0, 32).toString('hex'))],
    ['private scalar base64url', Buffer.from(d.subarray(0, 32).toString('base64url').slice(0, 40))],
  ];
}

function dataFiles(dir: string): Array<[string, Buffer]> {
  return readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))]);
}

describe('private keys and tokens never reach storage or logs', () => {
  let t: TestOkmsd;
  let domainId: string;
  const issuedKeys: string[] = [];

  beforeAll(async () => {
    t = await startTestOkmsd();
    domainId = (await createDomain(t, 'leak-check')).id;
    for (const certificateType of ['ECDSA', 'RSA', 'ECDSA']) {
      const response = await t.api('POST', `/okms/resource/${domainId}/credential`, {
        body: { name: `leak-${certificateType}`, identityURNs: [rootUrn()], certificateType },
      });
      expect(response.status).toBe(201);
      issuedKeys.push(response.json.privateKeyPEM);
    }
    // Read paths and failures too, so that their log lines are part of what is searched.
    await t.api('GET', `/okms/resource/${domainId}/credential`);
    await t.api('POST', `/okms/resource/${domainId}/credential`, { body: { name: 'x', identityURNs: [rootUrn()], csr: issuedKeys[0] } });
    await t.stop(); // flush logs and close the database (its -wal file is searched as well if it remains)
  });
  afterAll(() => removeDir(t.dataDir));

  it('the server-generated private keys are in no data file and no log line', () => {
    expect(issuedKeys).toHaveLength(3);
    const files = dataFiles(t.dataDir);
    expect(files.some(([name]) => name.startsWith('okmsd.sqlite'))).toBe(true);
    const logs = Buffer.from(t.logs.join('\n'));
    expect(t.logs.length).toBeGreaterThan(5);
    for (const pem of issuedKeys) {
      for (const [what, bytes] of representations({ pem })) {
        for (const [name, content] of files) expect({ file: name, what, found: content.includes(bytes) }).toEqual({ file: name, what, found: false });
        expect({ logs: true, what, found: logs.includes(bytes) }).toEqual({ logs: true, what, found: false });
      }
    }
  });

  it('the domain CA key is stored only wrapped under the master key', async () => {
    const t2 = await startTestOkmsd({ dataDir: t.dataDir });
    const domain = (await t2.okmsd.store.domains.get(domainId))!;
    await t2.stop();
    const keys = new KeyHierarchy(loadMasterKey(undefined, t.dataDir).key);
    const pkcs8 = keys.unwrapUnderKek(keys.openDomainKek(domainId, domain.wrappedKek), domainId, 'ca-key', domain.wrappedCaKey);
    const caKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    const d = Buffer.from(String(caKey.export({ format: 'jwk' }).d), 'base64url');
    for (const [name, content] of dataFiles(t.dataDir).filter(([n]) => n.startsWith('okmsd.sqlite'))) {
      expect({ name, der: content.includes(pkcs8), scalar: content.includes(d) }).toEqual({ name, der: false, scalar: false });
    }
  });

  it('the admin token is stored only as a hash and never logged', () => {
    const token = Buffer.from(ADMIN_TOKEN);
    for (const [name, content] of dataFiles(t.dataDir)) expect({ name, found: content.includes(token) }).toEqual({ name, found: false });
    expect(t.logs.join('\n')).not.toContain(ADMIN_TOKEN);
  });
});
