/**
 * bench/kmip: KMIP Get and Create per second over one kept TLS connection, okmsd against PyKMIP's own server
 * (PyPI 0.11.0; tools/kmip-clients/install.sh) in the same run, rounds alternating (goal: okmsd ≥ 10× PyKMIP); and
 * okmsd's KMIP Get against its REST `GET /v1/servicekey/{id}` (keep-alive, one connection). The client is
 * bench/lib/kmip-client.ts for both servers. Not a test: nothing here asserts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enumeration, integer, struct, text } from '../src/kmip/kmip-items';
import { ALGORITHM, OBJECT_TYPE, OPERATION, TAG, USAGE } from '../src/kmip/kmip-tags';
import { startBenchOkmsd } from './lib/okmsd-child';
import { attribute, KmipTestClient, resultOf, uidIn } from './lib/kmip-client';
import { load } from './lib/load';
import { table } from './lib/measure';
import { freePort } from '../tools/free-port';

const SECONDS = Number(process.env.BENCH_DURATION_MS ?? 3000) / 1000;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const ROOT = join(__dirname, '..', '..');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const create = (): [number, ReturnType<typeof enumeration>[]] => [OPERATION.Create, [enumeration(TAG.ObjectType, OBJECT_TYPE.SymmetricKey), struct(TAG.TemplateAttribute,
  attribute('Cryptographic Algorithm', enumeration(0, ALGORITHM.AES)), attribute('Cryptographic Length', integer(0, 256)), attribute('Cryptographic Usage Mask', integer(0, USAGE.Encrypt | USAGE.Decrypt)))]];

/** Operations per second over one connection, closed loop, for `seconds`. */
async function rate(client: KmipTestClient, item: () => [number, ReturnType<typeof enumeration>[]]): Promise<number> {
  const deadline = performance.now() + SECONDS * 1000;
  let done = 0;
  const started = performance.now();
  while (performance.now() < deadline) {
    const [answer] = await client.request(item());
    if (resultOf(answer!).status !== 0) throw new Error(`KMIP operation failed: ${JSON.stringify(resultOf(answer!))}`);
    done += 1;
  }
  return done / ((performance.now() - started) / 1000);
}

function openssl(work: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: work, stdio: 'pipe' });
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'okmsd-bench-kmip-'));
  const python = execFileSync('bash', [join(ROOT, 'tools', 'kmip-clients', 'install.sh')], { encoding: 'utf8' }).trim().split('\n').pop()!;
  // PyKMIP's server: a CA of its own, its server certificate and a client certificate (clientAuth) for the bench.
  openssl(work, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=bench CA', '-days', '1');
  for (const [name, eku, san] of [['server', 'serverAuth', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], ['client', 'clientAuth', 'subjectAltName=DNS:bench']] as const) {
    openssl(work, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name === 'server' ? 'localhost' : 'bench'}`);
    writeFileSync(join(work, `${name}.ext`), `extendedKeyUsage=${eku}\n${san}\n`);
    openssl(work, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`, '-days', '1', '-extfile', `${name}.ext`);
  }
  const pyPort = await freePort();
  const py = spawn(python, [join(ROOT, 'tools', 'kmip-clients', 'pykmip-server.py'), String(pyPort), join(work, 'server.crt'), join(work, 'server.key'), join(work, 'ca.crt'), work], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    py.stdout!.on('data', (chunk) => String(chunk).includes('READY') && resolve());
    py.once('exit', (code) => reject(new Error(`the PyKMIP server exited ${code}`)));
  });

  const { okmsd, gatewayUrl, kmipPort, domain, tls: okmsdTls } = await startBenchOkmsd(join(work, 'data'));
  const pyTls = { cert: readFileSync(join(work, 'client.crt'), 'utf8'), key: readFileSync(join(work, 'client.key'), 'utf8'), ca: readFileSync(join(work, 'ca.crt'), 'utf8') };

  const ours = await KmipTestClient.open(kmipPort, okmsdTls);
  const theirs = await KmipTestClient.open(pyPort, pyTls);
  const made = async (client: KmipTestClient) => {
    const [created] = await client.request(create());
    const uid = uidIn(created!)!;
    await client.request([OPERATION.Activate, [uid]]);
    return uid;
  };
  const [ourKey, theirKey] = [await made(ours), await made(theirs)];
  const get = (uid: ReturnType<typeof text>) => (): [number, ReturnType<typeof enumeration>[]] => [OPERATION.Get, [uid]];
  const rows: Array<Array<string | number>> = [];
  for (const [label, oursItem, theirsItem] of [['Get (AES-256)', get(ourKey), get(theirKey)], ['Create (AES-256)', create, create]] as const) {
    const a: number[] = [];
    const b: number[] = [];
    await rate(ours, oursItem); // warm-up
    await rate(theirs, theirsItem);
    for (let round = 0; round < ROUNDS; round += 1) {
      b.push(await rate(theirs, theirsItem));
      a.push(await rate(ours, oursItem));
    }
    rows.push([label, Math.round(median(b)), Math.round(median(a)), (median(a) / median(b)).toFixed(1)]);
  }
  // The same key over REST: GET /v1/servicekey/{id}, keep-alive, one connection.
  const keyId = (ourKey as { value: string }).value;
  const rest = await load(`${gatewayUrl}/api/${domain.id}/v1/servicekey/${keyId}`, { concurrency: 1, keepAlive: true, durationMs: SECONDS * 1000, warmupMs: 1000, tls: okmsdTls });
  const kmipGet = median(await Promise.all([rate(ours, get(ourKey))]));
  ours.close();
  theirs.close();
  py.kill('SIGTERM');
  await okmsd.stop();
  rmSync(work, { recursive: true, force: true });

  console.log(`\nbench/kmip — one kept TLS connection each, closed loop, median of ${ROUNDS} rounds of ${SECONDS} s, alternating`);
  console.log(table(['operation', 'PyKMIP server/s', 'okmsd/s', 'ratio (goal ≥ 10)'], rows));
  console.log(table(['okmsd, one connection', 'KMIP Get/s', 'REST GET /v1/servicekey/{id}/s', 'ratio'], [['the same key', Math.round(kmipGet), Math.round(rest.rps), (kmipGet / rest.rps).toFixed(2)]]));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
