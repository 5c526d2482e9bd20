import { generateKeyPair as nodeGenerateKeyPair } from 'node:crypto';
import type { CertificateType } from '../domain/types';
import { ConcurrencyLimit } from './concurrency-limit';
import { SERVER_KEY_SPECS, type NodeKeySpec } from './key-specs';

export interface GeneratedKeyPair {
  /** SubjectPublicKeyInfo, DER. */
  readonly spki: Buffer;
  /** PKCS#8 PEM. Lives only in memory until it is returned once to the caller. */
  readonly privateKeyPEM: string;
  readonly description: string;
}

const ENCODING = {
  publicKeyEncoding: { type: 'spki', format: 'der' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
} as const;

function generate(spec: NodeKeySpec): Promise<{ spki: Buffer; privateKeyPEM: string }> {
  // Node generates and encodes on the libuv thread pool (encoding there matters: exporting a KeyObject
  // on the event loop cost more than signing the certificate), so the event loop stays free meanwhile.
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, spki: Buffer, privateKeyPEM: string) => (err ? reject(err) : resolve({ spki, privateKeyPEM }));
    if (spec.type === 'ec') nodeGenerateKeyPair('ec', { ...spec.options, ...ENCODING }, done);
    else nodeGenerateKeyPair('rsa', { ...spec.options, ...ENCODING }, done);
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
