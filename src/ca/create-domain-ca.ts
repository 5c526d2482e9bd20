import type { CaKeyAlgorithm } from '../domain/types';
import { CLOCK_SKEW_BACKDATE_MS } from './access-profile';
import { keyIdentifierHex } from './key-identifier';
import { CA_KEY_SPECS } from './key-specs';
import { randomSerialHex } from './serial';
import {
  AuthorityKeyIdentifierExtension,
  BasicConstraintsExtension,
  type Extension,
  KeyUsagesExtension,
  KeyUsageFlags,
  SubjectKeyIdentifierExtension,
  X509CertificateGenerator,
} from './x509';

export const DOMAIN_CA_VALIDITY_DAYS = 7305; // 20 years: outlives the longest access certificate (3650 days)

export interface CreatedDomainCa {
  readonly certificatePEM: string;
  readonly notAfter: Date;
  /** PKCS#8 DER of the CA key: the caller wraps it under the domain KEK and drops it. */
  readonly pkcs8: Uint8Array;
}

/** Makes a domain's self-signed issuing CA (pathLen 0: it signs end-entity certificates only). */
export function createDomainCa(okmsId: string, algorithm: CaKeyAlgorithm, now: Date, crypto: Crypto): Promise<CreatedDomainCa> {
  return createIssuingCa(`CN=okmsd domain CA ${okmsId}, O=okmsd`, algorithm, now, crypto);
}

/** A self-signed issuing CA named `name` (an RFC 4514 string without user input in it), with `extra` extensions. */
export async function createIssuingCa(name: string, algorithm: CaKeyAlgorithm, now: Date, crypto: Crypto, extra: readonly Extension[] = []): Promise<CreatedDomainCa> {
  const spec = CA_KEY_SPECS[algorithm];
  const keys = (await crypto.subtle.generateKey(spec.generate, true, ['sign', 'verify'])) as CryptoKeyPair;
  const spki = new Uint8Array(await crypto.subtle.exportKey('spki', keys.publicKey));
  const keyId = keyIdentifierHex(spki);
  const notAfter = new Date(now.getTime() + DOMAIN_CA_VALIDITY_DAYS * 86_400_000);
  const certificate = await X509CertificateGenerator.create(
    {
      serialNumber: randomSerialHex(),
      subject: name,
      issuer: name,
      notBefore: new Date(now.getTime() - CLOCK_SKEW_BACKDATE_MS),
      notAfter,
      publicKey: new Uint8Array(spki),
      signingKey: keys.privateKey,
      signingAlgorithm: spec.sign,
      extensions: [
        new BasicConstraintsExtension(true, 0, true),
        new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
        new SubjectKeyIdentifierExtension(keyId),
        new AuthorityKeyIdentifierExtension(keyId),
        ...extra,
      ],
    },
    crypto,
  );
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { certificatePEM: certificate.toString('pem') + '\n', notAfter, pkcs8 };
}
