import type { DataPlaneRoute } from '../http/gateway/data-plane-route';
import { randomRoute } from './random-route';
import type { ServiceKeyService } from './service-key-service';
import { serviceKeyRoutes } from './service-key-routes';

/** Every data-plane endpoint the gateway serves; each names its action from src/iam/actions.ts. */
export function dataPlaneRoutes(keys: ServiceKeyService): DataPlaneRoute[] {
  return [randomRoute, ...serviceKeyRoutes(keys)];
}
