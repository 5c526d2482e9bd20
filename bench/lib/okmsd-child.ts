import { join } from 'node:path';
import { startChild, type StartedChild } from './child';

export const BENCH_TOKEN = 'bench-admin-token-0123456789';

export interface BenchOkmsd {
  readonly okmsd: StartedChild;
  readonly controlUrl: string;
  readonly gatewayUrl: string;
  readonly kmipPort: number;
  readonly domain: { readonly id: string; readonly restEndpointCA: string };
  /** A root credential of the domain, as TLS client options for the gateway (and the KMIP port). */
  readonly tls: { readonly cert: string; readonly key: string; readonly ca: string };
}

async function json(url: string, init: RequestInit): Promise<any> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

/**
 * `okmsd serve` in a child process of its own for a bench (every port free, the per-caller limit above what one
 * bench credential sends: the benches measure cost, not throttling), with one domain and a root credential.
 * BENCH_PROFILE_DIR: the child writes a V8 CPU profile there when it stops.
 */
export async function startBenchOkmsd(dataDir: string): Promise<BenchOkmsd> {
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  const okmsd = await startChild(
    [...profile, join(__dirname, '..', '..', 'src', 'cli', 'main.js'), 'serve'],
    { OKMSD_DATA_DIR: dataDir, OKMSD_PORT: '0', OKMSD_GATEWAY_PORT: '0', OKMSD_KMIP_PORT: '0', OKMSD_ADMIN_TOKEN: BENCH_TOKEN, OKMSD_LOG_LEVEL: 'info', OKMSD_RATE_LIMIT_PER_CALLER: '1000000' },
    /"controlUrl":"([^"]+)".*?"gatewayUrl":"([^"]+)".*?"kmipPort":(\d+)/,
  );
  const [, controlUrl, gatewayUrl, kmipPort] = okmsd.match as unknown as [string, string, string, string];
  const admin = { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' };
  const domain = await json(`${controlUrl}/okms/resource`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'bench' }) });
  const credential = await json(`${controlUrl}/okms/resource/${domain.id}/credential`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'bench', identityURNs: ['urn:v1:eu:identity:account:root'] }) });
  return { okmsd, controlUrl, gatewayUrl, kmipPort: Number(kmipPort), domain, tls: { cert: credential.certificatePEM, key: credential.privateKeyPEM, ca: domain.restEndpointCA } };
}
