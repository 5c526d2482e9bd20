import { OkmsError } from '../domain/errors';
import type { NamePolicy, ServerCaRecord } from '../domain/records';
import type { DomainRecord } from '../domain/types';
import type { KeyHierarchy } from '../kms/key-hierarchy';
import type { RevocationRecord } from '../domain/types';
import type { Repositories } from '../storage/ports';
import type { RevocationUrls } from './access-profile';
import { generationId } from './ca-generation';
import { loadCaSigner, type CaSigner } from './ca-signer';
import { createIssuingCa } from './create-domain-ca';
import { parseCidr } from '../domain/cidr';
import { implicitPrimitive, sequence, tlv } from './der';
import { ipBytes } from './leaf-certificate-der';
import { Extension } from './x509';

const SERVER_CA_PURPOSE = 'server-ca-key';
const metaKey = (domainId: string) => `server-ca/${domainId}`;
const issuedKey = (domainId: string, serial: string) => `server-cert/${domainId}/${serial}`;

/** What the store keeps of each server certificate issued, so that OCSP can say "good" and an admin can revoke it. */
export interface IssuedServerCertificate {
  readonly serial: string;
  readonly commonName: string;
  readonly orderId: string;
  /** The id (generationId) of the server CA that signed it. */
  readonly caId: string;
  readonly notAfter: string;
  readonly issuedAt: string;
}

/** The domain's server CA ready to sign: its record, signer, id, and the revocation URLs its certificates name. */
export interface ServerCaSigner {
  readonly record: ServerCaRecord;
  readonly signer: CaSigner;
  readonly caId: string;
  readonly revocation?: RevocationUrls;
}

/** An IPv4/IPv6 CIDR as nameConstraints writes it: the address bytes, then the mask bytes. */
function addressAndMask(cidr: string): Buffer {
  const parsed = parseCidr(cidr)!;
  const address = ipBytes(parsed.address);
  const mask = Buffer.alloc(address.length);
  for (let bit = 0; bit < parsed.prefix; bit += 1) mask[bit >> 3]! |= 0x80 >> (bit & 7);
  return Buffer.concat([Buffer.from(address.map((byte, i) => byte & mask[i]!)), mask]);
}

/**
 * The nameConstraints of a server CA (RFC 5280 §4.2.1.10, critical): the allowed domains (each covers itself and
 * every name below it) and IP ranges as permitted subtrees; every IP address excluded when none is allowed. What
 * the constraints cannot say (bare domain vs subdomains, wildcards) the policy check enforces before signing.
 */
export function nameConstraintsExtension(policy: NamePolicy): Extension {
  const subtree = (base: Buffer) => sequence(base);
  const permitted = [
    ...policy.allowedDomains.map((domain) => subtree(implicitPrimitive(2, Buffer.from(domain, 'ascii')))),
    ...policy.allowedIpRanges.map((cidr) => subtree(implicitPrimitive(7, addressAndMask(cidr)))),
  ];
  const excluded = policy.allowedIpRanges.length === 0 ? [subtree(implicitPrimitive(7, Buffer.alloc(8))), subtree(implicitPrimitive(7, Buffer.alloc(32)))] : [];
  const value = sequence(tlv(0xa0, ...permitted), ...(excluded.length > 0 ? [tlv(0xa1, ...excluded)] : []));
  return new Extension('2.5.29.30', true, new Uint8Array(value));
}

/**
 * Each domain's TLS server CA: a CA of its own, separate from the client-auth CA, constrained to the domain's name
 * policy, signing Barbican order certificates (and any future server issuance). Made when an admin first sets a
 * policy, and made anew when the policy changes (its constraints are the policy). Kept in the store as one record.
 */
export class ServerCaService {
  private readonly signers = new Map<string, { version: number; signer: Promise<CaSigner> }>();

  constructor(
    private readonly deps: {
      store: Pick<Repositories, 'meta' | 'revocations'>;
      keys: KeyHierarchy;
      crypto: Crypto;
      clock: () => Date;
      /** The CRL/OCSP/caIssuers URLs a server certificate names (the server CA's id picks its CRL). */
      revocationUrls?: (domainId: string, caId: string) => RevocationUrls;
    },
  ) {}

  async get(domainId: string): Promise<ServerCaRecord | undefined> {
    const stored = await this.deps.store.meta.get(metaKey(domainId));
    return stored === undefined ? undefined : (JSON.parse(stored) as ServerCaRecord);
  }

  /** Sets the domain's name policy, with a new server CA constrained to it. */
  async setPolicy(domain: DomainRecord, policy: NamePolicy): Promise<ServerCaRecord> {
    if (policy.allowedDomains.length === 0 && policy.allowedIpRanges.length === 0) {
      throw new OkmsError('ERR_VALIDATION', 'allowedDomains: a name policy must allow at least one domain or IP range', { field: 'allowedDomains' });
    }
    const previous = await this.get(domain.id);
    const now = this.deps.clock();
    // A root (self-signed), so no EKU (RFC 5280 leaves it to leaves; zlint e_root_ca_extended_key_usage_present): its
    // leaves carry serverAuth, and the name constraints are what bound it.
    const ca = await createIssuingCa(`CN=okmsd server CA ${domain.id}, O=okmsd`, domain.caKeyAlgorithm, now, this.deps.crypto, [nameConstraintsExtension(policy)]);
    const kek = this.deps.keys.openDomainKek(domain.id, domain.wrappedKek);
    try {
      const record: ServerCaRecord = {
        domainId: domain.id, namePolicy: policy, certificatePEM: ca.certificatePEM,
        wrappedKey: this.deps.keys.wrapUnderKek(kek, domain.id, SERVER_CA_PURPOSE, ca.pkcs8),
        notAfter: ca.notAfter.toISOString(), createdAt: now.toISOString(), version: (previous?.version ?? 0) + 1,
      };
      await this.deps.store.meta.put(metaKey(domain.id), JSON.stringify(record));
      return record;
    } finally {
      kek.fill(0);
      ca.pkcs8.fill(0);
    }
  }

  /** Keeps what OCSP and revocation need of a certificate the server CA just signed. */
  async recordIssued(domainId: string, issued: IssuedServerCertificate): Promise<void> {
    await this.deps.store.meta.put(issuedKey(domainId, issued.serial), JSON.stringify(issued));
  }

  async issued(domainId: string, serial: string): Promise<IssuedServerCertificate | undefined> {
    const stored = await this.deps.store.meta.get(issuedKey(domainId, serial));
    return stored === undefined ? undefined : (JSON.parse(stored) as IssuedServerCertificate);
  }

  /**
   * Puts a server certificate of the domain on its revocation list (the CRLs and OCSP say so from then on). A serial
   * the server CA never issued is a 404; one revoked already is a 409, and the first revocation stands.
   */
  async revoke(domainId: string, serial: string, reason: string): Promise<RevocationRecord> {
    const issued = await this.issued(domainId, serial);
    if (!issued) throw new OkmsError('ERR_NOT_FOUND', `serial: no server certificate ${serial} was issued in this domain`, { field: 'serial' });
    const revocation: RevocationRecord = { domainId, serial, credentialId: `order:${issued.orderId}`, revokedAt: this.deps.clock().toISOString(), reason };
    if (!(await this.deps.store.revocations.add(revocation))) throw new OkmsError('ERR_CONFLICT', `serial: server certificate ${serial} is revoked already`, { field: 'serial' });
    return revocation;
  }

  /** The domain's server CA, loaded once per version of its record; undefined while it has no name policy. */
  async signer(domain: DomainRecord): Promise<ServerCaSigner | undefined> {
    const record = await this.get(domain.id);
    if (!record) return undefined;
    let cached = this.signers.get(domain.id);
    if (!cached || cached.version !== record.version) {
      const kek = this.deps.keys.openDomainKek(domain.id, domain.wrappedKek);
      const pkcs8 = this.deps.keys.unwrapUnderKek(kek, domain.id, SERVER_CA_PURPOSE, record.wrappedKey);
      try {
        cached = { version: record.version, signer: Promise.resolve(loadCaSigner(record.certificatePEM, pkcs8, domain.caKeyAlgorithm)) };
      } finally {
        pkcs8.fill(0);
        kek.fill(0);
      }
      this.signers.set(domain.id, cached);
    }
    const caId = generationId({ caCertificatePEM: record.certificatePEM });
    const revocation = this.deps.revocationUrls?.(domain.id, caId);
    return { record, signer: await cached.signer, caId, ...(revocation ? { revocation } : {}) };
  }
}
