import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { readAccessCertificate } from '../../ca/read-access-certificate';
import type { RevocationSet } from '../../ca/revocation-set';
import type { CredentialRecord, DomainRecord } from '../../domain/types';
import type { Repositories } from '../../storage/ports';
import { BoundedMap } from '../../domain/bounded-map';
import { TtlCache } from '../../domain/ttl-cache';
import { generationId, trustedCas } from '../../ca/ca-generation';
import { GatewayError } from '../pipeline/okms-error';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
/** How long a credential record read from the store is trusted: the same bound as IAM state (iam-service.ts). */
const RECORD_TTL_MS = 1000;
/** Certificates whose chain check is remembered across connections. */
const KNOWN_PEERS_MAX = 10_000;

interface DomainEntry {
  readonly domain: DomainRecord;
  readonly cas: ReadonlyArray<{ readonly id: string; readonly certificate: X509Certificate }>;
}

export interface Caller {
  readonly domain: DomainRecord;
  readonly credential: CredentialRecord;
}

interface VerifiedPeer {
  readonly domainId: string;
  readonly serial: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly uris: readonly string[];
  /** The CA generation that issued it: still trusted is checked on every request (a retired CA is not). */
  readonly caId: string;
  /** The credential record these URIs were last found equal to. */
  matched?: CredentialRecord;
}

/**
 * Who is calling, from the TLS session (TLS itself proved possession of the key): the certificate must chain
 * to the CA of the domain in the path, carry clientAuth, be within its validity, not be revoked, and match the
 * store's credential record, which is the authority for its identities. The chain is checked once per
 * connection; validity, revocation and the record on every request.
 */
export class ClientAuthenticator {
  /** Each domain and the CAs its certificates may chain to now (CA rotation: a successor, a previous CA), re-read once a second. */
  private readonly domains = new TtlCache<DomainEntry>(RECORD_TTL_MS, () => this.clock().getTime());
  private readonly verified = new WeakMap<TLSSocket, VerifiedPeer>();
  /**
   * By domain and SHA-256 fingerprint: the chain check of one exact certificate against its domain's CA gives
   * the same answer every time, and its signature verification is most of what a new connection costs here
   * (~60 µs of ~240). Validity, revocation and the record are still checked on every request.
   */
  private readonly knownPeers = new BoundedMap<string, VerifiedPeer>(KNOWN_PEERS_MAX);
  private readonly credentials = new TtlCache<CredentialRecord>(RECORD_TTL_MS, () => this.clock().getTime());

  constructor(
    private readonly store: Pick<Repositories, 'credentials' | 'domains'>,
    private readonly revocations: RevocationSet,
    private readonly clock: () => Date,
  ) {}

  /**
   * `forwardedPEM` is the client certificate a trusted TLS-terminating proxy passed on (proxy mode); it is
   * verified on every request, since one proxy connection carries many clients.
   */
  async authenticate(socket: TLSSocket, okmsId: string, forwardedPEM?: string): Promise<Caller> {
    let peer: VerifiedPeer;
    if (forwardedPEM !== undefined) {
      let certificate: X509Certificate;
      try {
        certificate = new X509Certificate(forwardedPEM);
      } catch {
        throw new GatewayError('cert_untrusted', 'the forwarded client certificate is not a PEM certificate');
      }
      peer = await this.verifyPeer(certificate, okmsId);
    } else {
      peer = this.verified.get(socket) ?? (await this.verifySocket(socket, okmsId));
    }
    const entry = await this.domain(okmsId);
    if (!entry) throw new GatewayError('domain_not_found', `domain ${okmsId} not found`);
    const { domain } = entry;
    if (peer.domainId !== domain.id) throw new GatewayError('wrong_domain', `this certificate belongs to domain ${peer.domainId}, not ${okmsId}`);
    if (!entry.cas.some((ca) => ca.id === peer.caId)) throw new GatewayError('cert_untrusted', 'the CA that issued this certificate has been retired');
    const now = this.clock().getTime();
    if (now < peer.notBefore || now > peer.notAfter) throw new GatewayError('cert_expired', 'the client certificate is not within its validity period');
    if (this.revocations.isRevoked(domain.id, peer.serial)) throw new GatewayError('cert_revoked', 'the client certificate has been revoked');
    const credential = await this.credential(domain.id, peer.serial);
    if (!credential) throw new GatewayError('cert_unknown', 'no credential matches this certificate');
    if (peer.matched !== credential) {
      if (!sameSet(credential.identityURNs, peer.uris)) {
        throw new GatewayError('cert_identity_mismatch', "the certificate's identities differ from its credential record");
      }
      peer.matched = credential; // the same record object again (cached ≤ 1 s) needs no second comparison
    }
    return { domain, credential };
  }

  /** The credential record, re-read at most once a second (revocation itself is checked above, every time). */
  private async credential(domainId: string, serial: string): Promise<CredentialRecord | undefined> {
    const key = `${domainId}/${serial}`;
    const cached = this.credentials.get(key);
    if (cached) return cached;
    const credential = await this.store.credentials.getBySerial(domainId, serial);
    if (credential) this.credentials.set(key, credential);
    return credential;
  }

  private async domain(okmsId: string): Promise<DomainEntry | undefined> {
    let entry = this.domains.get(okmsId);
    if (!entry) {
      const domain = await this.store.domains.get(okmsId);
      if (!domain) return undefined;
      const cas = trustedCas(domain, this.clock()).map((generation) => ({ id: generationId(generation), certificate: new X509Certificate(generation.caCertificatePEM) }));
      entry = { domain, cas };
      this.domains.set(okmsId, entry);
    }
    return entry;
  }

  private async verifySocket(socket: TLSSocket, okmsId: string): Promise<VerifiedPeer> {
    const peer = socket.getPeerX509Certificate();
    if (!peer) throw new GatewayError('cert_missing', 'a client certificate is required (mutual TLS)');
    const known = `${okmsId}/${peer.fingerprint256}`;
    let verified = this.knownPeers.get(known);
    if (!verified) {
      verified = await this.verifyPeer(peer, okmsId);
      this.knownPeers.set(known, verified);
    }
    this.verified.set(socket, verified);
    return verified;
  }

  private async verifyPeer(peer: X509Certificate, okmsId: string): Promise<VerifiedPeer> {
    const entry = await this.domain(okmsId);
    if (!entry) throw new GatewayError('domain_not_found', `domain ${okmsId} not found`);
    const issuer = entry.cas.find((ca) => peer.checkIssued(ca.certificate) && peer.verify(ca.certificate.publicKey));
    if (!issuer) {
      // The slow, full parse is for the refusal's reason only.
      const claims = readAccessCertificate(peer.raw);
      if (claims.okmsId && claims.okmsId !== okmsId && (await this.store.domains.get(claims.okmsId))) {
        throw new GatewayError('wrong_domain', `this certificate belongs to another domain, not ${okmsId}`);
      }
      throw new GatewayError('cert_untrusted', `the client certificate is not issued by the CA of domain ${okmsId}`);
    }
    if (!(peer.keyUsage ?? []).includes(CLIENT_AUTH)) throw new GatewayError('cert_untrusted', 'the client certificate is not for client authentication');
    return {
      domainId: entry.domain.id,
      caId: issuer.id,
      serial: peer.serialNumber.toLowerCase(),
      notBefore: Date.parse(peer.validFrom),
      notAfter: Date.parse(peer.validTo),
      uris: sanUris(peer),
    };
  }
}

/**
 * The URI names of a certificate this domain's CA issued. OpenSSL's text form is enough here: the CA only
 * signs URNs okmsd validated (no commas, quotes or spaces), so "URI:a, URI:b, othername:…" splits cleanly.
 */
function sanUris(certificate: X509Certificate): string[] {
  return (certificate.subjectAltName ?? '')
    .split(', ')
    .filter((name) => name.startsWith('URI:'))
    .map((name) => name.slice(4));
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((x) => set.has(x));
}
