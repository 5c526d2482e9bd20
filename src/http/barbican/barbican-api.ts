import type { BarbicanCaller } from '../../secrets/barbican-model';
import type { HttpRequest, Route } from '../pipeline/route';

/** The Barbican API and its Keystone front door as the planes use them (assembled by src/app/barbican-wiring.ts). */
export interface BarbicanApi {
  readonly routes: Route[];
  /** The same Barbican routes for the mTLS gateway, their refs on the gateway's origin. */
  readonly gatewayRoutes: Route[];
  /** Forgets expired Keystone tokens (run by the lifecycle job). */
  purgeExpiredTokens(now: Date): Promise<number>;
  /** The control plane's Barbican caller: a Keystone token in X-Auth-Token. */
  readonly authenticate: (req: HttpRequest) => Promise<BarbicanCaller>;
  /** For the admin's certificate check: a certificate container of the account, as PEM texts. */
  openCertificateContainer(accountId: string, containerRef: string): Promise<{ certificate: string; privateKey?: string; passphrase?: string; chain?: string; domainId: string }>;
}
