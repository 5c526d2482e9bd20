import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIONS, BARBICAN_ACTIONS } from '../../src/iam/actions';
import { barbicanRoutes, type BarbicanServices } from '../../src/http/barbican/barbican-routes';
import { DATA_PLANE_PREFIX } from '../../src/http/data-plane/data-plane-route';
import { dataPlaneRoutes } from '../../src/http/data-plane/data-plane-routes';
import type { CertificateRoute } from '../../src/http/pipeline/route';
import type { ServiceKeyService } from '../../src/kms/service-key-service';
import type { SecretManager } from '../../src/secrets/secret-manager';

describe('the action catalogue and the gateway routes agree', () => {
  // The catalogue lists paths under /api/{okmsId}, as OVH's documentation does.
  const routes = dataPlaneRoutes({} as ServiceKeyService, {} as SecretManager)
    .filter((r): r is CertificateRoute => r.auth === 'certificate')
    .map((r) => ({ ...r, path: r.path.slice(DATA_PLANE_PREFIX.length).replace('+}', '}') }));
  // The bodies that choose a route's action: import or create, a version or metadata only, a version's new state.
  const SAMPLE_BODIES = [{}, { keys: [{}] }, { version: { data: {} } }, { state: 'active' }, { state: 'deactivated' }, { state: 'deleted' }];
  const actionsOf = (route: (typeof routes)[number]): string[] =>
    typeof route.action === 'string' ? [route.action] : [...new Set(SAMPLE_BODIES.map((body) => (route.action as (req: { body: unknown }) => string)({ body })))];

  it('every route serves catalogued actions at the catalogued method and path', () => {
    for (const route of routes) {
      for (const action of actionsOf(route)) {
        expect(ACTIONS).toContainEqual(expect.objectContaining({ action, method: route.method.toUpperCase(), path: route.path }));
      }
    }
  });

  it('exactly the routes whose actions change stored state sync their audit record before the reply', () => {
    // A data key is made and handed out, never stored: dataKey/create changes nothing.
    const changing = /^okms:apikms:(serviceKey\/(create|import|update|delete|activate|deactivate)|secret\/(create|delete|updateMetadata|version\/(create|activate|deactivate|delete))|secretConfig\/update)$/;
    for (const route of routes) {
      expect({ route: `${route.method} ${route.path}`, changesState: route.changesState === true }).toEqual({ route: `${route.method} ${route.path}`, changesState: actionsOf(route).some((a) => changing.test(a)) });
    }
    expect(routes.filter((r) => r.changesState).length).toBe(5 + 6 + 13);
  });

  it('every catalogued action is served by a route', () => {
    const served = new Set(routes.flatMap((r) => actionsOf(r).map((a) => `${r.method.toUpperCase()} ${r.path} ${a}`)));
    for (const spec of ACTIONS) expect(served).toContain(`${spec.method} ${spec.path} ${spec.action}`);
  });
});

describe('the Barbican catalogue and the Barbican routes agree', () => {
  const routes = barbicanRoutes({} as BarbicanServices).filter((r) => r.auth === 'barbican');
  it('every Keystone-authenticated route names a catalogued action, and every catalogued action is served', () => {
    const served = routes.map((r) => `${r.method.toUpperCase()} ${r.path} ${r.action}`);
    const catalogued = BARBICAN_ACTIONS.map((a) => `${a.method} ${a.path} ${a.action}`);
    expect([...served].sort()).toEqual([...catalogued].sort());
  });
});

describe('the documentation lists the catalogue', () => {
  it('README.md has one row per catalogued action, method and path', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    for (const spec of [...ACTIONS, ...BARBICAN_ACTIONS]) expect(readme).toContain(`| \`${spec.action}\` | \`${spec.method} ${spec.path}\` |`);
  });
});
