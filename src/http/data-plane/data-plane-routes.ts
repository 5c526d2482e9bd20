import type { Route } from '../pipeline/route';
import { DATA_PLANE_PREFIX } from './data-plane-route';
import { randomRoute } from './random-route';
import type { ServiceKeyService } from '../../kms/service-key-service';
import { serviceKeyRoutes } from './service-key-routes';
import type { SecretManager } from '../../secrets/secret-manager';
import { secretManagerRoutes } from './secret-manager-routes';
import { vaultKvRoutes } from './vault-kv-routes';
import { PATH_PARAM_PATTERN } from '../../secrets/secret-manager-rules';

/** Every data-plane endpoint the gateway serves: certificate (or token) callers, the OKMS (or Vault) error body. */
export function dataPlaneRoutes(keys: ServiceKeyService, secrets: SecretManager): Route[] {
  return [randomRoute, ...serviceKeyRoutes(keys), ...secretManagerRoutes(secrets), ...vaultKvRoutes(secrets)].map((route) => ({
    ...route,
    // A secret's path, wherever a route names one: the rule checkPath applies, stated for the OpenAPI document.
    ...(route.path.includes('{path') ? { paramPatterns: { path: { pattern: PATH_PARAM_PATTERN, maxLength: 255 }, ...route.paramPatterns } } : {}),
    auth: 'certificate',
    dialect: route.dialect ?? 'okms',
    path: `${DATA_PLANE_PREFIX}${route.path}`,
    summary: route.summary ?? (typeof route.action === 'string' ? route.action : 'okms:apikms:serviceKey/create or /import'),
  }));
}
