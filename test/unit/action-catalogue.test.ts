import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTIONS } from '../../src/iam/actions';
import { dataPlaneRoutes } from '../../src/kms/data-plane-routes';
import type { ServiceKeyService } from '../../src/kms/service-key-service';
import type { Request } from 'express';

describe('the action catalogue and the gateway routes agree', () => {
  const routes = dataPlaneRoutes({} as ServiceKeyService);
  const actionsOf = (route: (typeof routes)[number]): string[] =>
    typeof route.action === 'string'
      ? [route.action]
      : [route.action({ body: {} } as Request), route.action({ body: { keys: [{}] } } as Request)];

  it('every route serves catalogued actions at the catalogued method and path', () => {
    for (const route of routes) {
      for (const action of actionsOf(route)) {
        expect(ACTIONS).toContainEqual(expect.objectContaining({ action, method: route.method.toUpperCase(), path: route.path }));
      }
    }
  });

  it('every catalogued action is served by a route', () => {
    const served = new Set(routes.flatMap((r) => actionsOf(r).map((a) => `${r.method.toUpperCase()} ${r.path} ${a}`)));
    for (const spec of ACTIONS) expect(served).toContain(`${spec.method} ${spec.path} ${spec.action}`);
  });
});

describe('the documentation lists the catalogue', () => {
  it('README.md has one row per catalogued action, method and path', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    for (const spec of ACTIONS) expect(readme).toContain(`| \`${spec.action}\` | \`${spec.method} ${spec.path}\` |`);
  });
});
