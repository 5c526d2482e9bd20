import express, { type Express } from 'express';
import { buildOpenApi } from '../openapi';
import { API_REFERENCE_HTML } from './docs-page';
import { CONSOLE_HTML } from '../console/console-page';
import { CONSOLE_SCRIPT } from '../console/console-script';

const CONSOLE_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob:; frame-ancestors 'none'";
import { mountPipeline } from '../pipeline/express-adapter';
import type { Pipeline } from '../pipeline/pipeline';
import { inDialect, type Route } from '../pipeline/route';
import { accountRoutes } from './account-routes';
import { auditRoutes } from './audit-routes';
import { credentialRoutes } from './credential-routes';
import { domainRoutes } from './domain-routes';
import { iamRoutes } from './iam-routes';
import type { ControlPlaneServices } from './services';

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
        return { status: 200, text: { contentType: s.metrics.registry.contentType, body: await s.metrics.render() } };
      },
    },
    ...accountRoutes(s),
    ...domainRoutes(s),
    ...credentialRoutes(s),
    ...iamRoutes(s),
    ...auditRoutes(s),
    ]),
    ...s.barbican.routes,
  ];
}

export function buildControlPlaneApp(s: ControlPlaneServices, pipeline: Pipeline): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use((_req, res, next) => {
    res.set('X-Content-Type-Options', 'nosniff');
    next();
  });
  // Pages, not API: the reference that renders /openapi.json and the console (both local: no CDN, no framework).
  app.get('/docs', (_req, res) => {
    res.type('html').set('Content-Security-Policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'").send(API_REFERENCE_HTML);
  });
  app.get('/console', (_req, res) => {
    res.type('html').set('Content-Security-Policy', CONSOLE_CSP).send(CONSOLE_HTML);
  });
  app.get('/console/app.js', (_req, res) => {
    res.type('text/javascript').set('Cache-Control', 'no-store').send(CONSOLE_SCRIPT);
  });
  mountPipeline(app, controlPlaneRoutes(s), pipeline);
  return app;
}
