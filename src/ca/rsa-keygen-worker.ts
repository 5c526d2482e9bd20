import { generateKeyPairSync } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

// One RSA key generation at a time, run by RsaKeygenWorkers (rsa-keygen-workers.ts) on a thread of its own: the
// event loop and the libuv thread pool (certificate signing) never wait on it.
const port = parentPort!;
port.on('message', (job: { modulusLength: number }) => {
  try {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: job.modulusLength,
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    port.postMessage({ spki: publicKey, privateKeyPEM: privateKey });
  } catch (error) {
    port.postMessage({ error: String(error) });
  }
});
