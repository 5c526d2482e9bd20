import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { readAccessCertificate } from '../../ca/read-access-certificate';
import { parseIdentityUrn } from '../../domain/urn';
import type { BarbicanCaller } from '../../secrets/barbican-model';
import { barbicanErrorBody, toOkmsError } from '../error-mapper';
import { mountRoutes, type RouteSpec } from '../route-table';
import { auditReason, requestLog } from '../request-log';
import { takeAsidePayloadEncoding } from '../barbican/barbican-routes';
import type { GatewayDeps } from './gateway-app';
import { GatewayError } from './okms-error';

export const isBarbicanPath = (path: string) => path === '/v1' || path.startsWith('/v1/');

/** The peer certificate as PEM: TLS already proved that the client holds its key. */
function peerPem(req: Request, forwarded: string | undefined): string {
  if (forwarded !== undefined) return forwarded;
  const raw = (req.socket as TLSSocket).getPeerCertificate?.()?.raw;
  if (!raw || raw.length === 0) throw new GatewayError('cert_missing', 'the Barbican API on the gateway needs a client certificate');
  return `-----BEGIN CERTIFICATE-----\n${raw.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
}

/**
 * The Express app behind the gateway's /v1 paths (the OKMS data plane itself never reaches Express): request log,
 * JSON bodies, the Barbican routes, and OKMS error bodies for anything else.
 */
export function buildGatewayBarbicanApp(deps: GatewayDeps, routes: readonly RouteSpec[], forwardedCertificate: (req: IncomingMessage) => string | undefined): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(requestLog(deps.logger));
  app.use(express.json({ limit: '64kb', type: ['application/json', 'text/json', 'application/*+json'] }));
  mountBarbicanOnGateway(app, deps, routes, forwardedCertificate);
  return app;
}

/**
 * The Barbican API on the mTLS gateway: the access certificate is the login. Its domain (the UPN
 * `okms.domain:{okmsId}`) is the project, its credential's identities go through IAM as on the data plane, and the
 * caller's Barbican user is the IAM user among those identities (else the credential). Every call, allowed or
 * refused, is audited as a gateway call.
 */
function mountBarbicanOnGateway(app: Express, deps: GatewayDeps, routes: readonly RouteSpec[], forwardedCertificate: (req: IncomingMessage) => string | undefined): void {
  app.use(takeAsidePayloadEncoding);
  app.use(express.raw({ limit: '64kb', type: ['text/plain', 'application/octet-stream'] }));
  app.use((req: Request, res: Response, next: NextFunction) => {
    res.on('finish', () => {
      const pattern = (req.route as { path?: string } | undefined)?.path ?? req.path;
      const identities = res.locals.identities as readonly string[] | undefined;
      deps.audit
        .append({
          time: deps.clock().toISOString(), requestId: String(res.locals.requestId), plane: 'gateway', ...(res.locals.domainId ? { domainId: String(res.locals.domainId) } : {}),
          ...(identities ? { identities } : {}), action: `${req.method} ${pattern}`, resource: req.path, decision: res.statusCode < 400 ? 'allow' : 'deny',
          reason: auditReason(req, res), status: res.statusCode,
        })
        .catch((error: unknown) => deps.logger.error({ err: String(error) }, 'audit append failed'));
    });
    next();
  });
  const authenticate = async (req: Request): Promise<BarbicanCaller> => {
    const forwarded = forwardedCertificate(req);
    const okmsId = readAccessCertificate(peerPem(req, forwarded)).okmsId;
    if (!okmsId) throw new GatewayError('cert_untrusted', 'the client certificate names no okmsd domain (it is not an access certificate)');
    const { domain, credential } = await deps.authenticator.authenticate(req.socket as TLSSocket, okmsId, forwarded);
    const identities = (await deps.iam.resolveIdentities(domain.accountId, credential.identityURNs)).effective;
    req.res!.locals.identities = identities;
    req.res!.locals.domainId = domain.id;
    const user = identities.map((urn) => parseIdentityUrn(urn)).find((parsed) => parsed.kind === 'user');
    return {
      accountId: domain.accountId,
      userId: user?.name ?? `credential:${credential.id}`,
      projectId: domain.id,
      async authorize(action, resource) {
        return (await deps.iam.decide({ accountId: domain.accountId, identities, action, resource, sourceIp: req.socket.remoteAddress ?? '' })).allowed;
      },
    };
  };
  const refuseAdmin = async () => {
    throw new GatewayError('not_found', 'no admin routes on the gateway');
  };
  const router = express.Router();
  mountRoutes(router as unknown as Express, routes, refuseAdmin, authenticate);
  app.use(router);
  app.use((req: Request) => {
    throw new GatewayError('not_found', `no Barbican route for ${req.method} ${req.path}`);
  });
  app.use((raw: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const gateway = raw instanceof GatewayError ? raw : undefined;
    const okms = gateway ? undefined : toOkmsError(raw);
    res.locals.errorCode = gateway?.reason ?? okms!.code;
    const body = gateway
      ? { code: gateway.status, title: gateway.status === 401 ? 'Unauthorized' : gateway.status === 403 ? 'Forbidden' : 'Not Found', description: `${gateway.message} (${gateway.reason})` }
      : barbicanErrorBody(okms!);
    if (!gateway && okms!.status >= 500) deps.logger.error({ err: raw instanceof Error ? raw.message : String(raw) }, 'Barbican call on the gateway failed');
    res.status(body.code).set('Cache-Control', 'no-store').json(body);
  });
}
