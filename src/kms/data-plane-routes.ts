import type { CertificateRoute, Route } from '../http/pipeline/route';
import { randomRoute } from './random-route';
import type { ServiceKeyService } from './service-key-service';
import { serviceKeyRoutes } from './service-key-routes';

/** A data-plane endpoint as declared: its path under /api/{okmsId}, its action from src/iam/actions.ts. */
export type DataPlaneRoute = Omit<CertificateRoute, 'auth' | 'dialect' | 'summary' | 'success'> & { readonly success: number; readonly summary?: string };

/** The relative path of a data-plane route (as the action catalogue lists it). */
export const DATA_PLANE_PREFIX = '/api/{okmsId}';

/** Every data-plane endpoint the gateway serves: certificate (or token) callers, the OKMS error body. */
export function dataPlaneRoutes(keys: ServiceKeyService): Route[] {
  return [randomRoute, ...serviceKeyRoutes(keys)].map((route) => ({
    ...route,
    auth: 'certificate',
    dialect: 'okms',
    path: `${DATA_PLANE_PREFIX}${route.path}`,
    summary: route.summary ?? (typeof route.action === 'string' ? route.action : 'okms:apikms:serviceKey/create or /import'),
  }));
}
