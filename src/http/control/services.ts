import type { CredentialService } from '../../ca/credential-service';
import type { CaRotation } from '../../ca/ca-rotation';
import type { CrlPublisher } from '../../ca/crl-publisher';
import type { DomainService } from '../../ca/domain-service';
import type { OcspResponder } from '../../ca/ocsp-responder';
import type { ServerCaService } from '../../ca/server-ca';
import type { AuditLog } from '../../audit/audit-log';
import type { Route } from '../pipeline/route';
import type { Metrics } from '../../observability/metrics';
import type { IamService } from '../../iam/iam-service';
import type { Repositories, StoreHealth } from '../../storage/ports';
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
  /** Each domain's name policy and the TLS server CA constrained to it. */
  readonly serverCas: ServerCaService;
  /** Staged successor CAs and the switch to them. */
  readonly caRotation: CaRotation;
  /** The Barbican API and its Keystone endpoints (src/http/barbican). */
  readonly barbican: BarbicanApi;
}
