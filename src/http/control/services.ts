import type { CredentialService } from '../../ca/credential-service';
import type { CaRotation } from '../../ca/ca-rotation';
import type { CrlPublisher } from '../../ca/crl-publisher';
import type { DomainCa } from '../../ca/domain-cas';
import type { DomainService } from '../../ca/domain-service';
import type { OcspResponder } from '../../ca/ocsp-responder';
import type { ServerCaService } from '../../ca/server-ca';
import type { AuditLog } from '../../audit/audit-log';
import type { Route } from '../pipeline/route';
import type { Metrics } from '../../observability/metrics';
import type { IamService } from '../../iam/iam-service';
import type { Repositories, StoreHealth } from '../../storage/ports';
import type { DomainRecord, RevocationRecord } from '../../domain/types';
import type { PublicEndpoints } from './presenters';
import type { BarbicanApi } from '../barbican/barbican-api';

/** What the control-plane routes need, built once in the composition root (src/app/start-okmsd.ts). */
export interface ControlPlaneServices {
  readonly store: Pick<Repositories, 'accounts' | 'apiTokens' | 'audit' | 'credentials' | 'domains'> & StoreHealth;
  readonly domains: DomainService;
  readonly credentials: CredentialService;
  readonly iam: IamService;
  readonly urnRegion: string;
  readonly clock: () => Date;
  readonly endpoints: () => PublicEndpoints;
  readonly audit: AuditLog;
  /** The gateway's routes (data plane and Barbican), for the OpenAPI document. */
  readonly gatewayRoutes: readonly Route[];
  readonly metrics: Metrics;
  /** Each domain CA's CRL (built in the background) and its OCSP responder. */
  readonly crls: CrlPublisher;
  readonly ocsp: OcspResponder;
  /** The domain's CAs that publish revocation: client-auth CAs it trusts now, then its server CA. */
  readonly domainCas: (domain: DomainRecord) => Promise<DomainCa[]>;
  /** Puts a server certificate on the revocation list, and has the gateways and CRLs learn it. */
  readonly revokeServerCertificate: (domainId: string, serial: string, reason: string) => Promise<RevocationRecord>;
  /** Each domain's name policy and the TLS server CA constrained to it. */
  readonly serverCas: ServerCaService;
  /** Staged successor CAs and the switch to them. */
  readonly caRotation: CaRotation;
  /** The Barbican API and its Keystone endpoints (src/http/barbican). */
  readonly barbican: BarbicanApi;
}
