import type { CertificateRoute } from '../pipeline/route';

/** A data-plane endpoint as declared: its path under /api/{okmsId}, its action from src/iam/actions.ts. */
export type DataPlaneRoute = Omit<CertificateRoute, 'auth' | 'dialect' | 'summary' | 'success'> & {
  readonly success: number;
  readonly summary?: string;
  /** The error dialect: OKMS's body by default; Vault's `{errors: […]}` on the Vault KV API. */
  readonly dialect?: 'okms' | 'vault';
};

/** The relative path of a data-plane route (as the action catalogue lists it). */
export const DATA_PLANE_PREFIX = '/api/{okmsId}';
