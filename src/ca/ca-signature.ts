import { sign } from 'node:crypto';
import type { CaSigner } from './ca-signer';

/** Signs `data` with the CA key on the libuv thread pool (ECDSA signatures come out DER-encoded, as X.509 wants). */
export function signWithCa(ca: CaSigner, data: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => sign(ca.hash, data, ca.privateKey, (error, signature) => (error ? reject(error) : resolve(signature))));
}
