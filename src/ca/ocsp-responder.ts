import { createHash } from 'node:crypto';
import { CertID, id_pkix_ocsp_basic, id_pkix_ocsp_nonce, OCSPRequest, OCSPResponseStatus } from '@peculiar/asn1-ocsp';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import type { DomainRecord } from '../domain/types';
import type { Repositories } from '../storage/ports';
import type { CaSigner } from './ca-signer';
import { signWithCa } from './ca-signature';
import { generationId } from './ca-generation';
import { crlReasonCode } from './crl';
import { pemToDer } from './csr-input';
import { bitString, explicit, generalizedTime, octetString, oid, sequence, tlv } from './der';

/** How many certificates one request may ask about (RFC 6960 allows a list; a bound keeps one call cheap). */
export const MAX_OCSP_REQUESTS = 10;
/** How long a response may be relied on: the status is live, so a client asks again within this time. */
export const OCSP_VALIDITY_MS = 60 * 60 * 1000;

const HASHES: Readonly<Record<string, 'sha1' | 'sha256' | 'sha384' | 'sha512'>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** What identifies one CA in a CertID: the hashes of its subject Name and of its public key (RFC 6960 §4.1.1). */
class IssuerIdentity {
  private readonly name: Buffer;
  private readonly key: Buffer;
  private readonly hashes = new Map<string, { name: Buffer; key: Buffer }>();

  constructor(caCertificatePEM: string) {
    const certificate = AsnConvert.parse(pemToDer(caCertificatePEM), Certificate);
    this.name = Buffer.from(AsnConvert.serialize(certificate.tbsCertificate.subject));
    this.key = Buffer.from(certificate.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey);
  }

  /** SHA-1 of the public key: the responder's id (byKey), since the CA signs its own responses. */
  get keyHashSha1(): Buffer {
    return this.hashed('sha1').key;
  }

  matches(certId: CertID): boolean {
    const hash = HASHES[certId.hashAlgorithm.algorithm];
    if (!hash) return false;
    const own = this.hashed(hash);
    return own.name.equals(Buffer.from(certId.issuerNameHash.buffer)) && own.key.equals(Buffer.from(certId.issuerKeyHash.buffer));
  }

  private hashed(hash: string): { name: Buffer; key: Buffer } {
    let entry = this.hashes.get(hash);
    if (!entry) {
      entry = { name: createHash(hash).update(this.name).digest(), key: createHash(hash).update(this.key).digest() };
      this.hashes.set(hash, entry);
    }
    return entry;
  }
}

/** A CA the responder may answer for: its certificate, and its signer when it is the one that answers. */
export interface OcspIssuer {
  readonly pem: string;
  /** The domain's TLS server CA answers for the server certificates it issued; the client-auth CAs for credentials. */
  readonly kind?: 'client-auth' | 'server';
  signer(): Promise<CaSigner>;
}

export type OcspStatus = { readonly status: 'good' } | { readonly status: 'revoked'; readonly revokedAt: string; readonly reason: string } | { readonly status: 'unknown' };

/**
 * The OCSP responder of the domain CAs (RFC 6960), answering from the same per-serial state the gateway uses:
 * revoked when the serial is on the domain's revocation list (an expired certificate revoked later included),
 * good while its credential record exists (for the server CA: while the store holds it as issued), unknown otherwise (a serial this CA never gave an access credential,
 * or a CertID naming another issuer). Responses are signed by the CA itself, so relying parties need no
 * delegated responder certificate; a request's nonce is echoed. Requests are parsed with @peculiar/asn1-ocsp
 * (untrusted input goes through the maintained parser); responses are DER-encoded with src/ca/der.ts, for the
 * reason crl.ts gives (the schema serializer cost ~60 µs per small object here).
 */
export class OcspResponder {
  private readonly issuers = new Map<string, IssuerIdentity>();

  constructor(
    private readonly deps: {
      store: Pick<Repositories, 'credentials' | 'revocations'>;
      clock: () => Date;
      /** Whether the domain's server CA issued this serial (and it is not on the revocation list's side: that is checked first). */
      serverCertificateIssued?: (domainId: string, serial: string) => Promise<boolean>;
    },
  ) {}

  /** The DER OCSPResponse for a DER OCSPRequest: malformedRequest for what does not parse or asks too much. */
  async respond(domain: DomainRecord, generations: readonly OcspIssuer[], requestDer: Uint8Array): Promise<Buffer> {
    let request: OCSPRequest;
    try {
      request = AsnConvert.parse(requestDer, OCSPRequest);
    } catch {
      return statusOnly(OCSPResponseStatus.malformedRequest);
    }
    const asked = request.tbsRequest.requestList;
    if (asked.length === 0 || asked.length > MAX_OCSP_REQUESTS) return statusOnly(OCSPResponseStatus.malformedRequest);
    // One signer per response: the trusted CA the first CertID names (a rotation's previous CA answers for its own).
    const identities = generations.map((generation) => ({ generation, identity: this.issuer(domain.id, generation.pem) }));
    const chosen = identities.find(({ identity }) => identity.matches(asked[0]!.reqCert)) ?? identities[0]!;
    const issuer = chosen.identity;
    const ca = await chosen.generation.signer();
    // Whole seconds: GeneralizedTime in OCSP carries no fraction (RFC 5280 §4.1.2.5.2, which RFC 6960 follows).
    const now = new Date(Math.floor(this.deps.clock().getTime() / 1000) * 1000);
    const responses: Buffer[] = [];
    for (const { reqCert } of asked) {
      const status = issuer.matches(reqCert) ? await this.statusOf(domain.id, serialHex(reqCert.serialNumber), chosen.generation.kind) : { status: 'unknown' as const };
      // The CertID goes back exactly as asked (the client matches its own bytes).
      responses.push(sequence(Buffer.from(AsnConvert.serialize(reqCert)), certStatus(status), generalizedTime(now), explicit(0, generalizedTime(new Date(now.getTime() + OCSP_VALIDITY_MS)))));
    }
    const nonce = request.tbsRequest.requestExtensions?.find((extension) => extension.extnID === id_pkix_ocsp_nonce);
    // ResponseData (version v1 by default): responderID byKey [2], producedAt, responses, [1] the nonce echoed.
    const data = sequence(
      explicit(2, octetString(issuer.keyHashSha1)),
      generalizedTime(now),
      sequence(...responses),
      ...(nonce ? [explicit(1, sequence(sequence(oid(id_pkix_ocsp_nonce), octetString(Buffer.from(nonce.extnValue.buffer)))))] : []),
    );
    const basic = sequence(data, ca.signatureAlgorithmDer, bitString(await signWithCa(ca, data)));
    return sequence(tlv(0x0a, Buffer.from([OCSPResponseStatus.successful])), explicit(0, sequence(oid(id_pkix_ocsp_basic), octetString(basic))));
  }

  /** The status of one serial of the domain, from the store (the authority every node shares). */
  async statusOf(domainId: string, serial: string, kind: OcspIssuer['kind'] = 'client-auth'): Promise<OcspStatus> {
    const revocation = await this.deps.store.revocations.get(domainId, serial);
    if (revocation) return { status: 'revoked', revokedAt: revocation.revokedAt, reason: revocation.reason };
    const issued = kind === 'server' ? (await this.deps.serverCertificateIssued?.(domainId, serial)) === true : (await this.deps.store.credentials.getBySerial(domainId, serial)) !== undefined;
    return issued ? { status: 'good' } : { status: 'unknown' };
  }

  private issuer(domainId: string, pem: string): IssuerIdentity {
    const key = `${domainId}/${generationId({ caCertificatePEM: pem })}`;
    let issuer = this.issuers.get(key);
    if (!issuer) {
      issuer = new IssuerIdentity(pem);
      if (this.issuers.size > 10_000) this.issuers.clear();
      this.issuers.set(key, issuer);
    }
    return issuer;
  }
}

/** A CertID serial (INTEGER contents) as okmsd writes serials: lower-case hex without a sign-padding zero byte. */
function serialHex(serial: ArrayBuffer): string {
  const bytes = Buffer.from(serial);
  return (bytes.length > 1 && bytes[0] === 0 ? bytes.subarray(1) : bytes).toString('hex');
}

/** CertStatus: good [0] and unknown [2] are IMPLICIT NULLs; revoked [1] is RevokedInfo { time, [0] reason }. */
function certStatus(status: OcspStatus): Buffer {
  if (status.status === 'good') return Buffer.from([0x80, 0x00]);
  if (status.status === 'unknown') return Buffer.from([0x82, 0x00]);
  const reason = crlReasonCode(status.reason);
  return tlv(0xa1, generalizedTime(new Date(status.revokedAt)), ...(reason === undefined ? [] : [explicit(0, tlv(0x0a, Buffer.from([reason])))]));
}

function statusOnly(status: OCSPResponseStatus): Buffer {
  return sequence(tlv(0x0a, Buffer.from([status])));
}
