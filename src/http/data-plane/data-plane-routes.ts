import type { Route } from '../pipeline/route';
import { DATA_PLANE_PREFIX } from './data-plane-route';
import { randomRoute } from './random-route';
import type { ServiceKeyService } from '../../kms/service-key-service';
import { serviceKeyRoutes } from './service-key-routes';

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
