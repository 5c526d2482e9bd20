import { sign } from 'node:crypto';
import type { CaSigner } from './ca-signer';

/**
 * Signs `data` with the CA key (ECDSA signatures come out DER-encoded, as X.509 wants). P-256 signs on the calling
 * thread: handing a ~60 µs signature to the libuv pool cost the event loop as much as making it (the job, the
 * wake-ups, the callback and its promise), and the process 15 % more CPU per HTTP issuance (alternating rounds on
 * the 2-vCPU VM: 1.69 against 1.96 ms per credential, the event loop's share equal). P-384, three times dearer,
 * still signs on the pool.
 */
export function signWithCa(ca: CaSigner, data: Uint8Array): Promise<Buffer> {
  if (ca.algorithm === 'P-256') {
    try {
      return Promise.resolve(sign(ca.hash, data, ca.privateKey));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return new Promise((resolve, reject) => sign(ca.hash, data, ca.privateKey, (error, signature) => (error ? reject(error) : resolve(signature))));
}
