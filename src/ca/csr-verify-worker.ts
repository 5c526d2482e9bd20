import { verify } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { ecCurveByName, importEcPublicPointRaw } from './ec-key-encoding';
import type { VerifyJob, VerifyResult } from './csr-verify-workers';

// CSR proof-of-possession checks for CsrVerifyWorkers (csr-verify-workers.ts), a batch per message: the key import
// (OpenSSL checks that the point is on its curve) and the signature verification, both off the event loop.
const port = parentPort!;

async function check({ id, curve, bytes, signedLength, signatureLength, hash }: VerifyJob): Promise<VerifyResult> {
  const signed = bytes.subarray(0, signedLength);
  const signature = bytes.subarray(signedLength, signedLength + signatureLength);
  const point = bytes.subarray(signedLength + signatureLength);
  let imported: Awaited<ReturnType<typeof importEcPublicPointRaw>>;
  try {
    imported = await importEcPublicPointRaw(ecCurveByName(curve)!, point);
  } catch {
    return { id, outcome: 'undecodable' };
  }
  let valid = false;
  try {
    valid = verify(hash, signed, imported.key, signature);
  } catch {
    valid = false;
  }
  // A copy of its own: a pooled Buffer would carry its whole 8 KiB slab through postMessage.
  return valid ? { id, outcome: 'valid', spki: new Uint8Array(imported.spki) } : { id, outcome: 'invalid' };
}

port.on('message', (jobs: readonly VerifyJob[]) => {
  void Promise.all(jobs.map(check)).then((results) => port.postMessage(results));
});
