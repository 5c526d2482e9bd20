import { randomBytes } from 'node:crypto';
import { Agent } from 'node:https';
import { createDomain, removeDir, rootUrn, startTestOkmsd, tempDir, type TestOkmsd } from '../helpers/harness';
import { dropTestDatabases, testMongoUri } from '../helpers/mongo-server';
import { mtlsCall } from '../helpers/mtls-client';

/**
 * Two okmsd processes' worth of nodes (separate data dirs, one master key) on one MongoDB database: what one node
 * writes, the other serves, and a revocation through node A reaches node B's gateway within the one-second bound.
 */
const database = `okmsd_nodes_${randomBytes(3).toString('hex')}`;
const env = { OKMSD_STORE: 'mongodb', OKMSD_MONGODB_URI: testMongoUri(database), OKMSD_MASTER_KEY: randomBytes(32).toString('base64') };
let nodeA: TestOkmsd;
let nodeB: TestOkmsd;

beforeAll(async () => {
  nodeA = await startTestOkmsd({ env });
  nodeB = await startTestOkmsd({ env, dataDir: tempDir() });
});
afterAll(async () => {
  await Promise.all([nodeA.stop(), nodeB.stop()]);
  removeDir(nodeA.dataDir);
  removeDir(nodeB.dataDir);
  await dropTestDatabases(database);
});

describe('two okmsd nodes on one MongoDB database', () => {
  it('share domains, credentials and service keys, and converge on a revocation within one second', async () => {
    const domain = await createDomain(nodeA, 'shared-on-mongo');
    expect((await nodeB.api('GET', `/okms/resource/${domain.id}`)).json.publicCA).toBe(domain.publicCA);
    const created = await nodeA.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name: 'app', identityURNs: [rootUrn()] } });
    expect(created.status).toBe(201);
    const client = { cert: created.json.certificatePEM as string, key: created.json.privateKeyPEM as string };
    expect(nodeB.okmsd.gatewayCaPEM).toBe(nodeA.okmsd.gatewayCaPEM); // one server CA for the whole cluster

    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const viaB = (path: string, method = 'GET', body?: unknown) => mtlsCall(nodeB, `/api/${domain.id}/v1${path}`, { ...client, agent, method, body });
    const key = await mtlsCall(nodeA, `/api/${domain.id}/v1/servicekey`, { ...client, method: 'POST', body: { name: 'aes', type: 'oct', size: 256, operations: ['encrypt', 'decrypt'] } });
    expect(key.status).toBe(201);
    const sealed = await viaB(`/servicekey/${key.json.id}/encrypt`, 'POST', { plaintext: Buffer.from('across nodes').toString('base64') });
    expect(sealed.status).toBe(200);
    const opened = await mtlsCall(nodeA, `/api/${domain.id}/v1/servicekey/${key.json.id}/decrypt`, { ...client, method: 'POST', body: { ciphertext: sealed.json.ciphertext } });
    expect(Buffer.from(opened.json.plaintext, 'base64').toString()).toBe('across nodes');

    const before = await viaB('/random?length=8');
    expect(before.status).toBe(200);
    expect((await nodeA.api('DELETE', `/okms/resource/${domain.id}/credential/${created.json.id}`)).status).toBe(204);
    const revokedAt = Date.now();
    let after = before;
    while (Date.now() - revokedAt < 1000) {
      after = await viaB('/random?length=8');
      if (after.json.reason === 'cert_revoked') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect({ status: after.status, reason: after.json.reason }).toEqual({ status: 401, reason: 'cert_revoked' });
    expect(after.localPort).toBe(before.localPort); // refused on the connection that was already open
    agent.destroy();

    expect((await nodeB.api('POST', '/audit/verify')).json).toMatchObject({ intact: true });
  });

  it('a node refuses to start with another master key than the one the shared store was set up with', async () => {
    const dataDir = tempDir();
    try {
      await expect(startTestOkmsd({ dataDir, env: { ...env, OKMSD_MASTER_KEY: randomBytes(32).toString('base64') } })).rejects.toThrow(/master key/i);
    } finally {
      removeDir(dataDir);
    }
  });
});
