import { OkmsError } from '../domain/errors';
import { checkOwnIdentities } from '../domain/identity-check';
import { timeOrderedUuid } from '../domain/time-ordered-uuid';
import type { Account, CertificateType, CredentialRecord, DomainRecord, Page, PageRequest } from '../domain/types';
import type { Repositories } from '../storage/ports';
import { buildAccessProfile, type RevocationUrls } from './access-profile';
import { csrToDer } from './csr-input';
import type { CsrVerifyWorkers } from './csr-verify-workers';
import type { DomainService } from './domain-service';
import type { KeyPairGenerator } from './generate-key-pair';
import { issueLeafCertificate } from './issue-certificate';
import { parseCsr, type ParsedCsr } from './parse-csr';
import { randomSerialHex } from './serial';

export const DEFAULT_VALIDITY_DAYS = 365;

export interface CreateCredentialInput {
  readonly name: string;
  readonly description?: string;
  readonly identityURNs: readonly string[];
  readonly certificateType?: CertificateType;
  readonly validity?: number;
  /** PEM (any of the usual damaged forms), base64 DER, or raw DER bytes. */
  readonly csr?: string | Uint8Array;
}

export interface RenewCredentialInput {
  readonly validity?: number;
  /** Required when the credential was issued from a CSR: its successor is never given a server-made key. */
  readonly csr?: string | Uint8Array;
  /** How long the old credential stays valid beside its successor; 0 revokes it at once. */
  readonly overlapSeconds?: number;
}

export interface RenewalPolicy {
  /** Overlap when the request names none. */
  readonly defaultOverlapSeconds: number;
  /** How long after expiry a credential may still be renewed (never after revocation). */
  readonly graceDays: number;
}

export interface CreatedCredential {
  readonly credential: CredentialRecord;
  /** Only for server-generated keys; returned once and never stored. */
  readonly privateKeyPEM?: string;
}

function resolveCertificateType(requested: CertificateType | undefined, csr: ParsedCsr | undefined): CertificateType {
  if (!csr) return requested ?? 'ECDSA';
  if (requested !== undefined && requested !== csr.certificateType) {
    throw new OkmsError('ERR_CSR_KEY_MISMATCH', `certificateType: ${requested} was asked for but the CSR carries an ${csr.keyAlgorithm} key`, {
      field: 'certificateType',
    });
  }
  return csr.certificateType;
}

/** Access credentials: issue (server key or CSR), read, list and revoke. */
export class CredentialService {
  constructor(
    private readonly deps: {
      store: Pick<Repositories, 'credentials'>;
      domains: DomainService;
      keyPairs: KeyPairGenerator;
      /** Where EC CSRs are checked off the event loop (parseCsr's general path without it). */
      csrVerifier?: CsrVerifyWorkers;
      clock: () => Date;
      urnRegion: string;
      /** Told of each revocation at once (the gateway's in-memory revocation set). */
      onRevoked?: (domainId: string, serial: string) => void;
      /** Told of each issuance (metrics). */
      onIssued?: (certificateType: CertificateType, fromCSR: boolean, seconds: number) => void;
      renewal?: RenewalPolicy;
      /** Where relying parties find the domain's CRL, OCSP responder and CA certificate (written into each certificate). */
      revocationUrls?: (domain: DomainRecord) => RevocationUrls;
      /** The uid of each identity named (IamService.bindIdentities): a 400 naming the field when one does not exist. */
      bindIdentities?: (accountId: string, urns: readonly string[], field: string) => Promise<Record<string, string>>;
    },
  ) {}

  /**
   * A successor with the same name, description, identities and key type: a new server-made key, or the new CSR
   * (a CSR-born credential requires one). The old credential stays valid for the overlap, then is revoked by the
   * lifecycle job (src/app/lifecycle-jobs.ts); lineage is kept on both records. Two steps, not atomic: a crash between them
   * leaves the successor issued and the old credential unmarked and valid, so the renewal can simply be repeated.
   */
  async renew(account: Account, domain: DomainRecord, id: string, input: RenewCredentialInput): Promise<{ successor: CreatedCredential; revokeAt: string | null }> {
    const policy = this.deps.renewal ?? { defaultOverlapSeconds: 0, graceDays: 0 };
    const old = await this.get(domain, id);
    if (old.successorId) throw new OkmsError('ERR_CONFLICT', `credentialId: credential ${id} was already renewed by ${old.successorId}`, { field: 'credentialId' });
    const now = this.deps.clock();
    const expired = new Date(old.expiredAt) <= now;
    if (now.getTime() > new Date(old.expiredAt).getTime() + policy.graceDays * 86_400_000) {
      throw new OkmsError('ERR_VALIDATION', `credentialId: credential ${id} expired on ${old.expiredAt}, more than ${policy.graceDays} days ago: issue a new credential`, { field: 'credentialId' });
    }
    if (old.fromCSR && input.csr === undefined) {
      throw new OkmsError('ERR_VALIDATION', 'csr: this credential was issued from a CSR, so its successor needs a new CSR (okmsd never switches it to a server-made key)', { field: 'csr' });
    }
    const successor = await this.create(account, domain, {
      name: old.name, description: old.description, identityURNs: old.identityURNs,
      ...(input.csr === undefined ? { certificateType: old.certificateType } : { csr: input.csr }),
      ...(input.validity === undefined ? {} : { validity: input.validity }),
    }, old.id);
    const overlap = expired ? 0 : input.overlapSeconds ?? policy.defaultOverlapSeconds;
    const revokeAt = overlap > 0 ? new Date(now.getTime() + overlap * 1000).toISOString() : null;
    if (!(await this.deps.store.credentials.markRenewed(domain.id, old.id, successor.credential.id, revokeAt, old.version, now.toISOString()))) {
      throw new OkmsError('ERR_CONFLICT', `credentialId: credential ${id} changed or was renewed meanwhile; the successor ${successor.credential.id} was issued, revoke it if it is not wanted`, { field: 'credentialId' });
    }
    if (revokeAt === null) await this.revoke(domain, old.id, 'superseded');
    return { successor, revokeAt };
  }

  async create(account: Account, domain: DomainRecord, input: CreateCredentialInput, predecessorId?: string): Promise<CreatedCredential> {
    const { store, domains, keyPairs, clock, urnRegion } = this.deps;
    const started = process.hrtime.bigint();
    checkOwnIdentities(input.identityURNs, account, urnRegion, 'identityURNs');
    const identityBindings = this.deps.bindIdentities ? await this.deps.bindIdentities(account.id, input.identityURNs, 'identityURNs') : undefined;
    const csr = input.csr === undefined ? undefined : await parseCsr(csrToDer(input.csr), this.deps.csrVerifier);
    const certificateType = resolveCertificateType(input.certificateType, csr);
    const now = clock();
    const id = timeOrderedUuid(now.getTime());
    const profile = buildAccessProfile({
      credentialId: id,
      okmsId: domain.id,
      identityURNs: input.identityURNs,
      certificateType,
      validityDays: input.validity ?? DEFAULT_VALIDITY_DAYS,
      now,
      caNotAfter: new Date(domain.caNotAfter),
      ...(this.deps.revocationUrls ? { revocation: this.deps.revocationUrls(domain) } : {}),
    });

    const key = csr ?? (await keyPairs.generate(certificateType));
    const signer = await domains.signer(domain);
    const serial = randomSerialHex();
    const certificate = await issueLeafCertificate(signer, profile, key.spki, serial);
    const credential: CredentialRecord = {
      id,
      domainId: domain.id,
      accountId: account.id,
      name: input.name,
      description: input.description ?? '',
      identityURNs: [...input.identityURNs],
      // Signing happens inside the request, so the record is written once, complete (see README "Statuses").
      status: 'READY',
      fromCSR: csr !== undefined,
      certificateType,
      keyAlgorithm: 'keyAlgorithm' in key ? key.keyAlgorithm : key.description,
      serial,
      certificatePEM: certificate.pem,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      expiredAt: profile.notAfter.toISOString(),
      version: 1,
      ...(predecessorId ? { predecessorId } : {}),
      ...(identityBindings ? { identityBindings } : {}),
    };
    await store.credentials.create(credential);
    this.deps.onIssued?.(certificateType, csr !== undefined, Number(process.hrtime.bigint() - started) / 1e9);
    return 'privateKeyPEM' in key ? { credential, privateKeyPEM: key.privateKeyPEM } : { credential };
  }

  async get(domain: DomainRecord, id: string): Promise<CredentialRecord> {
    const credential = await this.deps.store.credentials.get(domain.id, id);
    if (!credential) throw new OkmsError('ERR_NOT_FOUND', `credentialId: credential ${id} not found`, { field: 'credentialId' });
    return credential;
  }

  list(domain: DomainRecord, page: PageRequest): Promise<Page<CredentialRecord>> {
    return this.deps.store.credentials.list(domain.id, page);
  }

  /** Revokes at once (the serial joins the domain's revocation list) and removes the record, atomically. */
  /** Returns the revoked serial (the audit record names it). */
  async revoke(domain: DomainRecord, id: string, reason = 'cessationOfOperation'): Promise<string> {
    const revoked = await this.deps.store.credentials.revoke(domain.id, id, this.deps.clock().toISOString(), reason);
    if (!revoked) throw new OkmsError('ERR_NOT_FOUND', `credentialId: credential ${id} not found`, { field: 'credentialId' });
    this.deps.onRevoked?.(domain.id, revoked.serial);
    return revoked.serial;
  }
}
