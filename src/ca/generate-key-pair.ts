import type { CertificateType } from '../domain/types';
import { derToPem } from './csr-input';
import { ecCurveByName, encodeEcKeyPair, generateRawEcKeyPair } from './ec-key-encoding';
import { SERVER_KEY_SPECS, type NodeKeySpec } from './key-specs';
import { RsaKeyReserve } from './rsa-key-reserve';
import { RsaKeygenWorkers } from './rsa-keygen-workers';

export interface GeneratedKeyPair {
  /** SubjectPublicKeyInfo, DER. */
  readonly spki: Buffer;
  /** PKCS#8 PEM. Lives only in memory until it is returned once to the caller. */
  readonly privateKeyPEM: string;
  readonly description: string;
}

function generateEc(spec: NodeKeySpec & { type: 'ec' }): { spki: Buffer; privateKeyPEM: string } {
  const curve = ecCurveByName(spec.options.namedCurve);
  if (!curve) throw new Error(`no EC curve ${spec.options.namedCurve}`);
  const pair = generateRawEcKeyPair(curve);
  const { spki, pkcs8 } = encodeEcKeyPair(pair);
  pair.d.fill(0);
  const privateKeyPEM = derToPem(pkcs8, 'PRIVATE KEY');
  pkcs8.fill(0);
  return { spki, privateKeyPEM };
}

/**
 * Generates access-credential key pairs. EC keys are made on the calling thread (~70 µs for P-256: less event-loop
 * time than handing the job to the libuv thread pool and exporting the KeyObject it returns, and a third of the CPU);
 * RSA 2048 costs ~1000x that, so RSA keys come from worker threads of their own (one per core) through a reserve
 * of pregenerated keys, never on the event loop and never taking a thread-pool slot from certificate signing.
 */
export class KeyPairGenerator {
  private readonly rsaWorkers: RsaKeygenWorkers;
  private readonly rsaReserve: RsaKeyReserve;

  constructor(options: { rsaThreads: number; maxQueuedRsa: number; rsaReserve?: number }) {
    this.rsaWorkers = new RsaKeygenWorkers({ threads: options.rsaThreads, maxQueued: options.maxQueuedRsa });
    const rsa = SERVER_KEY_SPECS.RSA.node;
    const modulusLength = rsa.type === 'rsa' ? rsa.options.modulusLength : 2048;
    this.rsaReserve = new RsaKeyReserve(this.rsaWorkers, { capacity: options.rsaReserve ?? 0, modulusLength });
  }

  /** RSA keys ready in the reserve, and its capacity (a gauge for /metrics). */
  rsaReserveLevel(): { available: number; capacity: number } {
    return { available: this.rsaReserve.available, capacity: this.rsaReserve.capacity };
  }

  /** Fills the RSA reserve now and resolves when it is full. */
  fillRsaReserve(): Promise<void> {
    return this.rsaReserve.fill();
  }

  async generate(type: CertificateType): Promise<GeneratedKeyPair> {
    const spec = SERVER_KEY_SPECS[type];
    const { spki, privateKeyPEM } = spec.node.type === 'ec' ? generateEc(spec.node) : await this.rsaReserve.take();
    return { spki, privateKeyPEM, description: spec.description };
  }

  async close(): Promise<void> {
    this.rsaReserve.close();
    await this.rsaWorkers.close();
  }
}
