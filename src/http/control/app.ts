import express, { type Express } from 'express';
import { buildOpenApi } from '../openapi';
import { mountPipeline } from '../pipeline/express-adapter';
import type { Pipeline } from '../pipeline/pipeline';
import { inDialect, type Route } from '../pipeline/route';
import { accountRoutes } from './account-routes';
import { auditRoutes } from './audit-routes';
import { credentialRoutes } from './credential-routes';
import { domainRoutes } from './domain-routes';
import { iamTokenRoutes } from './iam-token-routes';
import { iamRoutes } from './iam-routes';
import { pkiRoutes } from './pki-routes';
import type { ControlPlaneServices } from './services';
import { loadStaticFiles } from '../static-pages';

/** Pages, not API: the console and the reference that renders /openapi.json, from web/ (local: no CDN, no framework, no inline code). */
const PAGES: Readonly<Record<string, string>> = {
  '/console': 'console/index.html',
  '/console/app.js': 'console/app.js',
  '/console/console.css': 'console/console.css',
  '/docs': 'docs/index.html',
  '/docs/docs.js': 'docs/docs.js',
  '/docs/docs.css': 'docs/docs.css',
};
const PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:; frame-ancestors 'none'";

export function controlPlaneRoutes(s: ControlPlaneServices): Route[] {
  return [
    ...inDialect('control', [
    {
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: 200 once the service is started',
      auth: 'none',
      async handle() {
        return { status: 200, body: { status: 'ok' } };
      },
    },
    {
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: 200 when the store answers',
      auth: 'none',
      async handle() {
        await s.store.ping();
        return { status: 200, body: { status: 'ready', store: s.store.kind } };
      },
    },
    {
      method: 'get',
      path: '/openapi.json',
      summary: 'This OpenAPI 3.1 document (control and data plane), generated from the route tables and schemas/',
      auth: 'none',
      async handle() {
        const { restEndpoint, swaggerEndpoint } = s.endpoints();
        return { status: 200, body: buildOpenApi(controlPlaneRoutes(s), s.gatewayRoutes, { control: new URL(swaggerEndpoint).origin, gateway: restEndpoint }, { urnRegion: s.urnRegion }) };
      },
    },
    {
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics (issuance, gateway decisions and refusals, credentials by status, store latency)',
      auth: 'none',
      produces: ['text/plain'],
      async handle() {
        return { status: 200, text: { contentType: s.metrics.registry.contentType, body: await s.metrics.render(s.store.credentials) } };
      },
    },
    ...accountRoutes(s),
    ...domainRoutes(s),
    ...credentialRoutes(s),
    ...iamRoutes(s),
    ...iamTokenRoutes(s),
    ...auditRoutes(s),
    ...pkiRoutes(s),
    ]),
    ...s.barbican.routes,
  ];
}

/** The control plane's Express app, and `METHOD /path` of each API route it serves (pages aside). */
export interface ControlPlaneApp {
  readonly express: Express;
  readonly routes: readonly string[];
}

export function buildControlPlaneApp(s: ControlPlaneServices, pipeline: Pipeline): ControlPlaneApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use((_req, res, next) => {
    res.set('X-Content-Type-Options', 'nosniff');
    next();
  });
  const files = loadStaticFiles(Object.values(PAGES));
  for (const [path, file] of Object.entries(PAGES)) {
    const page = files.get(file)!;
    app.get(path, (_req, res) => {
      res.set({ 'Content-Type': page.contentType, 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store' }).send(page.body);
    });
  }
  const routes = mountPipeline(app, controlPlaneRoutes(s), pipeline);
  return { express: app, routes };
}
