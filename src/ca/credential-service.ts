import { randomUUID } from 'node:crypto';
import { OkmsError } from '../domain/errors';
import { checkOwnIdentities } from '../domain/identity-check';
import type { Account, CertificateType, CredentialRecord, DomainRecord, Page, PageRequest } from '../domain/types';
import type { Store } from '../storage/ports';
import { buildAccessProfile } from './access-profile';
import { csrToDer } from './csr-input';
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
      store: Store;
      domains: DomainService;
      keyPairs: KeyPairGenerator;
      clock: () => Date;
      urnRegion: string;
      /** Told of each revocation at once (the gateway's in-memory revocation set). */
      onRevoked?: (domainId: string, serial: string) => void;
      /** Told of each issuance (metrics). */
      onIssued?: (certificateType: CertificateType, fromCSR: boolean, seconds: number) => void;
    },
  ) {}

  async create(account: Account, domain: DomainRecord, input: CreateCredentialInput): Promise<CreatedCredential> {
    const { store, domains, keyPairs, clock, urnRegion } = this.deps;
    const started = process.hrtime.bigint();
    checkOwnIdentities(input.identityURNs, account, urnRegion, 'identityURNs');
    const csr = input.csr === undefined ? undefined : await parseCsr(csrToDer(input.csr));
    const certificateType = resolveCertificateType(input.certificateType, csr);
    const id = randomUUID();
    const now = clock();
    const profile = buildAccessProfile({
      credentialId: id,
      okmsId: domain.id,
      identityURNs: input.identityURNs,
      certificateType,
      validityDays: input.validity ?? DEFAULT_VALIDITY_DAYS,
      now,
      caNotAfter: new Date(domain.caNotAfter),
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
  async revoke(domain: DomainRecord, id: string, reason = 'cessationOfOperation'): Promise<void> {
    const revoked = await this.deps.store.credentials.revoke(domain.id, id, this.deps.clock().toISOString(), reason);
    if (!revoked) throw new OkmsError('ERR_NOT_FOUND', `credentialId: credential ${id} not found`, { field: 'credentialId' });
    this.deps.onRevoked?.(domain.id, revoked.serial);
  }
}
