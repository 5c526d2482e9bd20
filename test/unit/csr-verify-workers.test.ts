import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { csrToDer } from '../../src/ca/csr-input';
import { CsrVerifyWorkers, type EcSignatureCheck } from '../../src/ca/csr-verify-workers';
import { parseCsr } from '../../src/ca/parse-csr';
import { OkmsError } from '../../src/domain/errors';
import { opensslCsr } from '../helpers/openssl';

const CURVES = { 'P-256': { openssl: 'prime256v1', hash: 'sha256' }, 'P-384': { openssl: 'secp384r1', hash: 'sha384' } } as const;

function signer(curve: keyof typeof CURVES): { point: Buffer; spki: Buffer; check: (data: Buffer, tamper?: boolean) => EcSignatureCheck } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: CURVES[curve].openssl });
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  const { hash } = CURVES[curve];
  return {
    point,
    spki: publicKey.export({ format: 'der', type: 'spki' }),
    check: (data, tamper = false) => {
      const signature = sign(hash, data, privateKey as KeyObject);
      return { curve, hash, signed: tamper ? Buffer.concat([data, Buffer.from([1])]) : data, signature, point };
    },
  };
}

const opened: CsrVerifyWorkers[] = [];
const workers = (threads: number, maxInFlight: number) => {
  const w = new CsrVerifyWorkers({ threads, maxInFlight });
  opened.push(w);
  return w;
};
afterAll(() => Promise.all(opened.map((w) => w.close())));

describe('CsrVerifyWorkers', () => {
  it('answers each of many concurrent checks on two threads for itself: valid with the SPKI, or invalid', async () => {
    const w = workers(2, 1000);
    const keys = [signer('P-256'), signer('P-384'), signer('P-256')];
    const jobs = Array.from({ length: 300 }, (_, i) => ({ key: keys[i % 3]!, tamper: i % 4 === 1, data: randomBytes(200 + (i % 50)) }));
    const results = await Promise.all(jobs.map(({ key, tamper, data }) => w.check(key.check(data, tamper))));
    results.forEach((result, i) => {
      const { key, tamper } = jobs[i]!;
      expect(result.outcome).toBe(tamper ? 'invalid' : 'valid');
      if (result.outcome === 'valid') expect(Buffer.from(result.spki)).toEqual(key.spki);
    });
  });

  it('decompresses a compressed point, and calls a point off its curve undecodable', async () => {
    const w = workers(1, 10);
    const key = signer('P-256');
    const data = randomBytes(100);
    const compressed = Buffer.concat([Buffer.from([2 + (key.point[64]! & 1)]), key.point.subarray(1, 33)]);
    const decompressed = await w.check({ ...key.check(data), point: compressed });
    expect(decompressed.outcome).toBe('valid');
    if (decompressed.outcome === 'valid') expect(Buffer.from(decompressed.spki)).toEqual(key.spki);
    const offCurve = Buffer.from(key.point);
    offCurve[64]! ^= 1;
    expect((await w.check({ ...key.check(data), point: offCurve })).outcome).toBe('undecodable');
  });

  it('refuses a check beyond maxInFlight with ERR_BUSY and answers the others', async () => {
    const w = workers(1, 3);
    const key = signer('P-256');
    const checks = Array.from({ length: 4 }, () => w.check(key.check(randomBytes(64))));
    const settled = await Promise.allSettled(checks);
    expect(settled.slice(0, 3).map((s) => s.status === 'fulfilled' && s.value.outcome)).toEqual(['valid', 'valid', 'valid']);
    const refused = settled[3]!;
    expect(refused.status === 'rejected' && (refused.reason as OkmsError).code).toBe('ERR_BUSY');
    expect((await w.check(key.check(randomBytes(64)))).outcome).toBe('valid'); // the slots are free again
  });

  it('answers failed when its threads stop under a check, and parseCsr then verifies on the pool with the same result', async () => {
    const w = workers(2, 100);
    const good = csrToDer(opensslCsr('P-256', '/CN=okmsd-test').csrPEM);
    const bad = Buffer.from(good);
    bad[bad.indexOf(Buffer.from('okmsd-test')) + 1]! ^= 1; // the subject, after signing
    const key = signer('P-256');
    const inFlight = Array.from({ length: 10 }, () => w.check(key.check(randomBytes(64))));
    await new Promise((resolve) => setImmediate(resolve)); // those left for a thread that is still starting
    inFlight.push(...Array.from({ length: 10 }, () => w.check(key.check(randomBytes(64))))); // these wait to leave
    await w.close();
    expect(new Set((await Promise.all(inFlight)).map((r) => r.outcome))).toEqual(new Set(['failed']));
    expect((await w.check(key.check(randomBytes(64)))).outcome).toBe('failed');
    expect((await parseCsr(good, w)).keyAlgorithm).toBe('EC P-256');
    await expect(parseCsr(bad, w)).rejects.toMatchObject({ code: 'ERR_CSR_SIGNATURE' });
  });

  it('keeps its process alive while a check is in flight, and not once idle (never closed)', () => {
    const built = join(__dirname, '..', '..', 'dist', 'src', 'ca', 'csr-verify-workers.js');
    const { signed, signature, point } = signer('P-256').check(randomBytes(32));
    const hex = (bytes: Uint8Array) => `Buffer.from('${Buffer.from(bytes).toString('hex')}', 'hex')`;
    const script = `new (require(${JSON.stringify(built)}).CsrVerifyWorkers)({ threads: 1, maxInFlight: 1 })
      .check({ curve: 'P-256', hash: 'sha256', signed: ${hex(signed)}, signature: ${hex(signature)}, point: ${hex(point)} })
      .then((r) => console.log(r.outcome))`;
    expect(execFileSync(process.execPath, ['-e', script], { timeout: 60_000 }).toString()).toBe('valid\n');
  });
});
