import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { requireBuiltCli } from '../helpers/cli-runner';
import { removeDir, tempDir } from '../helpers/harness';
import { dropTestDatabases } from '../helpers/mongo-server';
import { mtlsCall } from '../helpers/mtls-client';
import { freePort, sharedStoreEnv, startServe, stopChildren } from '../helpers/processes';

/**
 * `okmsd serve --plane control` and `okmsd serve --plane gateway` as two processes on one MongoDB-wire store: the
 * control plane issues, the gateway (another process, owning the gateway port) serves the data plane with it.
 */
const TOKEN = 'planes-admin-token-0123456789';
const MASTER_KEY = randomBytes(32).toString('base64'); // every node of one store holds the same master key
const database = `okmsd_planes_${process.pid}`;
const work = tempDir('okmsd-planes-');
const children: ChildProcess[] = [];

async function serve(plane: 'control' | 'gateway', env: Record<string, string>): Promise<{ line: Record<string, unknown> }> {
  const started = startServe(['--plane', plane], sharedStoreEnv({ database, token: TOKEN, masterKey: MASTER_KEY }, { OKMSD_DATA_DIR: join(work, plane), ...env }), children);
  await started.seen('okmsd listening');
  return { line: started.first('okmsd listening') };
}

afterAll(async () => {
  await stopChildren(children);
  await dropTestDatabases(database);
  removeDir(work);
});

describe('okmsd serve --plane', () => {
  it('runs the control plane and the gateway as two processes on one store', async () => {
    requireBuiltCli();
    const gatewayPort = await freePort();
    // Both are told the same gateway port: the control plane advertises it, only the gateway process listens on it.
    const control = await serve('control', { OKMSD_PORT: '0', OKMSD_GATEWAY_PORT: String(gatewayPort), OKMSD_KMIP_PORT: '0' });
    expect(control.line).toMatchObject({ plane: 'control', gatewayPort, kmipPort: null });
    const gateway = await serve('gateway', { OKMSD_PORT: '0', OKMSD_GATEWAY_PORT: String(gatewayPort), OKMSD_KMIP_PORT: '0' });
    expect(gateway.line).toMatchObject({ plane: 'gateway', gatewayPort, kmipPort: expect.any(Number) });

    const controlUrl = String(control.line.controlUrl);
    const admin = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const domain = await (await fetch(`${controlUrl}/okms/resource`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'planes' }) })).json() as { id: string; restEndpoint: string; restEndpointCA: string; kmipEndpoint?: string };
    expect(domain.restEndpoint).toBe(`https://127.0.0.1:${gatewayPort}`);
    const credential = await (await fetch(`${controlUrl}/okms/resource/${domain.id}/credential`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'app', identityURNs: ['urn:v1:eu:identity:account:root'] }) })).json() as { certificatePEM: string; privateKeyPEM: string };

    // The data plane answers from the other process, with what the control plane made, trusted through the shared store.
    const t = { okmsd: { gatewayUrl: domain.restEndpoint, gatewayCaPEM: domain.restEndpointCA } } as unknown as Parameters<typeof mtlsCall>[0];
    const created = await mtlsCall(t, `/api/${domain.id}/v1/servicekey`, { method: 'POST', cert: credential.certificatePEM, key: credential.privateKeyPEM, body: { name: 'k' } });
    expect(created.status).toBe(201);
    // The gateway process serves no control plane: its own control port is not listening.
    expect(gateway.line.port).toBe(0);
  }, 120_000);
});
