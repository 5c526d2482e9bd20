import { generateKeyPair as nodeGenerateKeyPair } from 'node:crypto';
import type { CertificateType } from '../domain/types';
import { ConcurrencyLimit } from '../domain/concurrency-limit';
import { derToPem } from './csr-input';
import { encodeEcKeyPair } from './ec-key-encoding';
import { SERVER_KEY_SPECS, type NodeKeySpec } from './key-specs';

export interface GeneratedKeyPair {
  /** SubjectPublicKeyInfo, DER. */
  readonly spki: Buffer;
  /** PKCS#8 PEM. Lives only in memory until it is returned once to the caller. */
  readonly privateKeyPEM: string;
  readonly description: string;
}

function generate(spec: NodeKeySpec): Promise<{ spki: Buffer; privateKeyPEM: string }> {
  // Node generates on the libuv thread pool, so the event loop stays free meanwhile.
  return new Promise((resolve, reject) => {
    if (spec.type === 'ec') {
      nodeGenerateKeyPair('ec', spec.options, (err, _publicKey, privateKey) => {
        if (err) return reject(err);
        const { spki, pkcs8 } = encodeEcKeyPair(privateKey);
        resolve({ spki, privateKeyPEM: derToPem(pkcs8, 'PRIVATE KEY') });
        pkcs8.fill(0);
      });
    } else {
      // RSA generation costs ~1000x its encoding: OpenSSL's encoder is fine here.
      nodeGenerateKeyPair(
        'rsa',
        {
          modulusLength: spec.options.modulusLength,
          publicKeyEncoding: { type: 'spki', format: 'der' },
          privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        },
        (err, spki, privateKeyPEM) => (err ? reject(err) : resolve({ spki, privateKeyPEM })),
      );
    }
  });
}

/**
 * Generates access-credential key pairs off the event loop. RSA 2048 costs ~2000x an EC P-256 key,
 * so RSA jobs share a small bound and never take every thread-pool slot from certificate signing.
 */
export class KeyPairGenerator {
  private readonly rsaLimit: ConcurrencyLimit;

  constructor(options: { maxConcurrentRsa: number; maxQueuedRsa: number }) {
    this.rsaLimit = new ConcurrencyLimit(options.maxConcurrentRsa, options.maxQueuedRsa);
  }

  async generate(type: CertificateType): Promise<GeneratedKeyPair> {
    const spec = SERVER_KEY_SPECS[type];
    const job = async (): Promise<GeneratedKeyPair> => {
      const { spki, privateKeyPEM } = await generate(spec.node);
      return { spki, privateKeyPEM, description: spec.description };
    };
    return type === 'RSA' ? this.rsaLimit.run(job) : job();
  }
}
