import { createHash } from 'node:crypto';
import type { CaGeneration, DomainRecord } from '../domain/types';
import { pemToDer } from './csr-input';

/**
 * A CA generation's stable name: the SHA-256 of its certificate's DER, hex, 128 bits. The key of everything kept per
 * CA (signers, OCSP issuer hashes, the gateway's trust, CRLs and their URLs).
 */
export function generationId(generation: Pick<CaGeneration, 'caCertificatePEM'>): string {
  const pem = generation.caCertificatePEM;
  let id = knownIds.get(pem);
  if (id === undefined) {
    id = createHash('sha256').update(pemToDer(pem)).digest('hex').slice(0, 32);
    if (knownIds.size >= 10_000) knownIds.clear();
    knownIds.set(pem, id);
  }
  return id;
}
/** Issuance asks for the id of the same few CA certificates on every request: decoding and hashing each time cost ~2 %. */
const knownIds = new Map<string, string>();

/** The CAs a domain's certificates may chain to now: the issuing one, a staged successor, a previous one not yet retired. */
export function trustedCas(domain: DomainRecord, now: Date): CaGeneration[] {
  const current: CaGeneration = { caCertificatePEM: domain.caCertificatePEM, wrappedCaKey: domain.wrappedCaKey, caNotAfter: domain.caNotAfter };
  const previous = domain.caPrevious && Date.parse(domain.caPrevious.retiresAt) > now.getTime() ? [domain.caPrevious] : [];
  return [current, ...(domain.caSuccessor ? [domain.caSuccessor] : []), ...previous];
}
