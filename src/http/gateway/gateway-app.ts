import express, { type Express, type Request, type Response } from 'express';
import type { BlockList } from 'node:net';
import { addressInList } from '../../domain/cidr';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { AuditLog } from '../../audit/audit-log';
import { okmsResourceUrn } from '../../domain/urn';
import type { IamService } from '../../iam/iam-service';
import type { Metrics } from '../../observability/metrics';
import { toOkmsError } from '../error-mapper';
import { requestLog } from '../request-log';
import type { ClientAuthenticator } from './authenticate-client';
import type { DataPlaneRoute } from './data-plane-route';
import { mountBarbicanOnGateway } from './gateway-barbican';
import type { RouteSpec } from '../route-table';
import { GatewayError, okmsErrorBody, type RefusalReason } from './okms-error';

/** Off unless configured: a TLS-terminating proxy at a trusted address forwards the client certificate in a header. */
export interface ProxyMode {
  readonly trusted: BlockList;
  /** Lower-case header name; its value is a URL-encoded PEM (nginx $ssl_client_escaped_cert) or plain PEM. */
  readonly header: string;
}

export interface GatewayDeps {
  readonly authenticator: ClientAuthenticator;
  readonly proxy?: ProxyMode;
  readonly iam: IamService;
  readonly audit: AuditLog;
  readonly urnRegion: string;
  readonly clock: () => Date;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /** The Barbican API served here too, with the access certificate as the login (gateway-barbican.ts). */
  readonly barbicanRoutes?: readonly RouteSpec[];
}

const toExpressPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

/** The forwarded certificate of a trusted proxy; the header from anyone else is refused, never ignored. */
function forwardedCertificate(req: Request, proxy: ProxyMode | undefined): string | undefined {
  const value = req.headers[proxy?.header ?? 'x-client-cert'];
  if (value === undefined) return undefined;
  const source = req.socket.remoteAddress ?? '';
  if (!proxy || !addressInList(proxy.trusted, source)) {
    throw new GatewayError('untrusted_proxy', `a forwarded client certificate is accepted only from a trusted proxy, not from ${source}`);
  }
  const raw = Array.isArray(value) ? value[0] ?? '' : value;
  try {
    return raw.includes('%') ? decodeURIComponent(raw) : raw;
  } catch {
    throw new GatewayError('cert_untrusted', 'the forwarded client certificate header is not URL-encoded PEM');
  }
}

/** Written directly: Express's res.json re-inspects headers and body on every call. */
function sendJson(res: Response, status: number, body: unknown): void {
  res.statusCode = status;
  if (body === undefined) {
    res.end();
    return;
  }
  const json = JSON.stringify(body);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
}

function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const okms = toOkmsError(error);
  const reason: RefusalReason =
    okms.status === 404 ? 'not_found' : okms.status === 409 ? 'conflict' : okms.status === 429 ? 'busy' : okms.status < 500 ? 'bad_request' : 'internal';
  return new GatewayError(reason, okms.expose ? okms.message : 'internal error');
}

/**
 * The data plane. Every call runs the same hot path, top to bottom in `handle`: mTLS certificate → credential
 * and identities → IAM decision → the operation → audit (allowed and refused calls alike) → reply.
 */
export function buildGatewayApp(deps: GatewayDeps, routes: readonly DataPlaneRoute[]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(requestLog(deps.logger));
  app.use(express.json({ limit: '64kb', type: ['application/json', 'text/json', 'application/*+json'] }));

  const observe = (decision: 'allow' | 'deny', reason: string, started: bigint) => {
    if (!deps.metrics) return;
    deps.metrics.gatewayDecisions.inc({ decision, reason });
    deps.metrics.gatewaySeconds.observe({ decision }, Number(process.hrtime.bigint() - started) / 1e9);
    if (reason.startsWith('cert_') || reason === 'wrong_domain' || reason === 'untrusted_proxy') deps.metrics.tlsRefusals.inc({ reason });
  };

  const handle = (route: DataPlaneRoute) => async (req: Request, res: Response) => {
    const started = process.hrtime.bigint();
    const requestId = String(res.locals.requestId);
    const okmsId = String(req.params.okmsId);
    const domainUrn = okmsResourceUrn(deps.urnRegion, okmsId);
    const action = typeof route.action === 'string' ? route.action : route.action(req);
    let resource: string | undefined;
    let credentialId: string | undefined;
    let identities: readonly string[] | undefined;
    let policies: readonly string[] | undefined;
    let allowed = false;
    try {
      const caller = await deps.authenticator.authenticate(req.socket as TLSSocket, okmsId, forwardedCertificate(req, deps.proxy));
      credentialId = caller.credential.id;
      const resolved = await deps.iam.resolveIdentities(caller.domain.accountId, caller.credential.identityURNs);
      identities = resolved.effective;
      resource = route.resource({ req, domainUrn });
      const decide = (on: string) =>
        deps.iam.decide({ accountId: caller.domain.accountId, identities: identities!, action, resource: on, sourceIp: req.socket.remoteAddress ?? '' });
      const decision = route.perItem ? { allowed: true, reason: 'authorized_per_item', policies: [] } : await decide(resource);
      policies = decision.policies.filter((p) => p.outcome === 'allow' || p.outcome === 'deny').map((p) => p.policyId);
      if (!decision.allowed) throw new GatewayError('identity_not_authorized', `${action} on ${resource} is not allowed for this certificate (${decision.reason})`);
      allowed = true;
      const reply = await route.run({ req, caller, requestId, domainUrn, authorize: async (on) => (await decide(on)).allowed });
      await deps.audit.append({ time: deps.clock().toISOString(), requestId, plane: 'gateway', domainId: okmsId, credentialId, identities, action: action, resource, decision: 'allow', reason: decision.reason, policies, status: reply.status });
      observe('allow', decision.reason, started);
      sendJson(res, reply.status, reply.body);
    } catch (raw) {
      const error = asGatewayError(raw);
      if (error.reason === 'internal') deps.logger.error({ requestId, err: raw instanceof Error ? raw.message : String(raw) }, 'data-plane call failed');
      res.locals.errorCode = error.reason;
      observe(allowed ? 'allow' : 'deny', error.reason, started);
      await deps.audit
        .append({ time: deps.clock().toISOString(), requestId, plane: 'gateway', domainId: okmsId, ...(credentialId ? { credentialId } : {}), ...(identities ? { identities } : {}), action: action, ...(resource ? { resource } : {}), decision: allowed ? 'allow' : 'deny', reason: error.reason, ...(policies ? { policies } : {}), status: error.status })
        .catch((auditError: unknown) => deps.logger.error({ requestId, err: String(auditError) }, 'audit append failed'));
      sendJson(res, error.status, okmsErrorBody(error, requestId));
    }
  };

  for (const route of routes) app[route.method](`/api/:okmsId${toExpressPath(route.path)}`, handle(route));
  if (deps.barbicanRoutes) mountBarbicanOnGateway(app, deps, deps.barbicanRoutes, (req) => forwardedCertificate(req, deps.proxy));
  app.use((req: Request, res: Response) => {
    res.status(404).json(okmsErrorBody(new GatewayError('not_found', `no data-plane route for ${req.method} ${req.path}`), String(res.locals.requestId)));
  });
  app.use((raw: unknown, _req: Request, res: Response, _next: () => void) => {
    const error = asGatewayError(raw);
    res.status(error.status).json(okmsErrorBody(error, String(res.locals.requestId)));
  });
  return app;
}
