
import type { CaKeyAlgorithm, CertificateType } from '../domain/types';

/** How each CA key algorithm maps to WebCrypto: one table instead of switches across the code. */
export interface CaKeySpec {
  readonly generate: EcKeyImportParams;
  readonly sign: EcdsaParams & { namedCurve: string };
  /** Node's digest name and the X.509 signature algorithm OID (ecdsa-with-SHA256/384). */
  readonly hash: 'sha256' | 'sha384';
  readonly signatureOid: string;
}

export const CA_KEY_SPECS: Record<CaKeyAlgorithm, CaKeySpec> = {
  'P-256': {
    generate: { name: 'ECDSA', namedCurve: 'P-256' },
    sign: { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
    hash: 'sha256',
    signatureOid: '1.2.840.10045.4.3.2',
  },
  'P-384': {
    generate: { name: 'ECDSA', namedCurve: 'P-384' },
    sign: { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' },
    hash: 'sha384',
    signatureOid: '1.2.840.10045.4.3.3',
  },
};

/** Keys the server generates for access credentials (no CSR). */
export const SERVER_KEY_SPECS: Record<CertificateType, { description: string; node: NodeKeySpec }> = {
  ECDSA: { description: 'EC P-256', node: { type: 'ec', options: { namedCurve: 'P-256' } } },
  RSA: { description: 'RSA 2048', node: { type: 'rsa', options: { modulusLength: 2048 } } },
};

export type NodeKeySpec =
  | { type: 'ec'; options: { namedCurve: string } }
  | { type: 'rsa'; options: { modulusLength: number } };

/** RSA keys accepted in a CSR; its EC keys may use the curves of EC_CURVES (ec-key-encoding.ts). */
export const CSR_RSA_BITS = { min: 2048, max: 8192 } as const;
