import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { authenticateAdminToken } from '../../iam/admin-tokens';
import { errorHandler } from '../error-mapper';
import { buildOpenApi } from '../openapi';
import { API_REFERENCE_HTML } from './docs-page';
import { CONSOLE_HTML } from '../console/console-page';
import { CONSOLE_SCRIPT } from '../console/console-script';

const CONSOLE_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob:; frame-ancestors 'none'";
import { auditReason, requestLog } from '../request-log';
import { takeAsidePayloadEncoding } from '../barbican/barbican-routes';
import { mountRoutes, type RouteSpec } from '../route-table';
import { accountRoutes } from './account-routes';
import { auditRoutes } from './audit-routes';
import { identityUrn } from '../../domain/urn';
import { credentialRoutes, RAW_CSR_TYPES } from './credential-routes';
import { domainRoutes } from './domain-routes';
import { iamRoutes } from './iam-routes';
import type { ControlPlaneServices } from './services';

export const MAX_BODY = '64kb';

export function controlPlaneRoutes(s: ControlPlaneServices): RouteSpec[] {
  return [
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
        return { status: 200, body: buildOpenApi(controlPlaneRoutes(s), s.dataPlaneRoutes, { control: new URL(swaggerEndpoint).origin, gateway: restEndpoint }) };
      },
    },
    {
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics (issuance, gateway decisions and refusals, credentials by status, store latency)',
      auth: 'none',
      async handle() {
        return { status: 200, text: { contentType: s.metrics.registry.contentType, body: await s.metrics.render() } };
      },
    },
    ...accountRoutes(s),
    ...domainRoutes(s),
    ...credentialRoutes(s),
    ...iamRoutes(s),
    ...auditRoutes(s),
    ...s.barbican.routes,
  ];
}

/** Every control-plane change (any method but GET/HEAD), allowed or refused, gets one audit record. */
function auditChanges(s: ControlPlaneServices, logger: Logger) {
  return (req: express.Request, res: express.Response, next: express.NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.on('finish', () => {
        const account = res.locals.accountId as string | undefined;
        const keystoneUser = res.locals.keystoneUser as string | undefined;
        const pattern = (req.route as { path?: string } | undefined)?.path ?? req.path;
        s.audit
          .append({
            time: s.clock().toISOString(),
            requestId: String(res.locals.requestId),
            plane: 'control',
            ...(account ? { identities: [keystoneUser ? identityUrn(s.urnRegion, 'user', account, keystoneUser) : identityUrn(s.urnRegion, 'account', account)] } : {}),
            action: `${req.method} ${pattern}`,
            resource: req.path,
            decision: res.statusCode < 400 ? 'allow' : 'deny',
            reason: auditReason(req, res),
            status: res.statusCode,
          })
          .catch((error: unknown) => logger.error({ err: String(error) }, 'audit append failed'));
      });
    }
    next();
  };
}

export function buildControlPlaneApp(s: ControlPlaneServices, logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(requestLog(logger));
  app.use((_req, res, next) => {
    res.set('X-Content-Type-Options', 'nosniff');
    next();
  });
  app.use(auditChanges(s, logger));
  app.use(takeAsidePayloadEncoding);
  app.use(express.json({ limit: MAX_BODY, strict: true, type: ['application/json', 'application/*+json'] }));
  app.use(express.raw({ limit: MAX_BODY, type: [...RAW_CSR_TYPES, 'text/plain', 'application/octet-stream'] }));
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
  mountRoutes(app, controlPlaneRoutes(s), (authorization) => authenticateAdminToken(s.store, authorization), s.barbican.authenticate);
  app.use(errorHandler(logger));
  return app;
}
