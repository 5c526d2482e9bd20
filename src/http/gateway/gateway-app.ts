import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { AuditLog } from '../../audit/audit-log';
import { addressInList } from '../../domain/cidr';
import { okmsResourceUrn } from '../../domain/urn';
import type { IamService } from '../../iam/iam-service';
import type { Metrics } from '../../observability/metrics';
import { toOkmsError } from '../error-mapper';
import { logRequest, requestIdFrom } from '../request-log';
import type { RouteSpec } from '../route-table';
import type { ClientAuthenticator } from './authenticate-client';
import { parseJsonBody, parseQuery, readRawBody, type DataPlaneRequest } from './data-plane-request';
import type { DataPlaneRoute } from './data-plane-route';
import { buildGatewayBarbicanApp, isBarbicanPath } from './gateway-barbican';
import { GatewayError, okmsErrorBody, type RefusalReason } from './okms-error';
import { PathRouter } from './path-router';

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

export interface GatewayApp {
  /** The https server's request listener. */
  readonly listener: RequestListener;
  /** `METHOD /api/{okmsId}/…` for every data-plane route it serves (the OpenAPI document lists the same). */
  readonly routes: readonly string[];
}

/** The forwarded certificate of a trusted proxy; the header from anyone else is refused, never ignored. */
function forwardedCertificate(req: IncomingMessage, proxy: ProxyMode | undefined): string | undefined {
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

function sendJson(res: ServerResponse, status: number, requestId: string, body: unknown): void {
  if (body === undefined) {
    res.writeHead(status, ['X-Request-Id', requestId]);
    res.end();
    return;
  }
  const json = JSON.stringify(body);
  res.writeHead(status, ['Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(Buffer.byteLength(json)), 'X-Request-Id', requestId]);
  res.end(json);
}

function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const okms = toOkmsError(error);
  const reason: RefusalReason =
    okms.status === 404 ? 'not_found' : okms.status === 409 ? 'conflict' : okms.status === 429 ? 'busy' : okms.status < 500 ? 'bad_request' : 'internal';
  return new GatewayError(reason, okms.expose ? okms.message : 'internal error');
}

const elapsedMs = (started: bigint) => Number((process.hrtime.bigint() - started) / 1000n) / 1000;

interface Mounted {
  readonly method: string;
  readonly path: string;
  readonly route: DataPlaneRoute;
}

/**
 * The data plane on Node's own https server, without a framework: Express costs more than the rest of a
 * request together (bench/gateway), and a data-plane call needs only a path match, a JSON body and one reply.
 * Every call runs the same hot path, top to bottom in `serve`: mTLS certificate → credential and identities →
 * IAM decision → the operation → audit (allowed and refused calls alike) → reply → one log line.
 * The Barbican API under /v1 goes to its Express app (gateway-barbican.ts).
 */
export function buildGatewayApp(deps: GatewayDeps, routes: readonly DataPlaneRoute[]): GatewayApp {
  const mounted: Mounted[] = routes.map((route) => ({ method: route.method, path: `/api/{okmsId}${route.path}`, route }));
  const router = new PathRouter(mounted);
  const barbican = deps.barbicanRoutes ? buildGatewayBarbicanApp(deps, deps.barbicanRoutes, (req) => forwardedCertificate(req, deps.proxy)) : undefined;

  const observe = (decision: 'allow' | 'deny', reason: string, started: bigint) => deps.metrics?.gatewayCall(decision, reason, Number(process.hrtime.bigint() - started) / 1e9);

  const serve = async (req: IncomingMessage, res: ServerResponse, route: DataPlaneRoute, params: Record<string, string>, path: string, search: string) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(req.headers['x-request-id']);
    const okmsId = params.okmsId!;
    const domainUrn = okmsResourceUrn(deps.urnRegion, okmsId);
    const socket = req.socket as TLSSocket;
    let action = typeof route.action === 'string' ? route.action : route.action({ body: undefined });
    let accountId: string | undefined;
    let credentialId: string | undefined;
    let identities: readonly string[] | undefined;
    let resource: string | undefined;
    let policies: readonly string[] | undefined;
    let allowed = false;
    let status: number;
    let code: string | undefined;
    // One record per call, allowed or refused; what is not known yet when a call is refused stays out of it.
    const audit = (decision: 'allow' | 'deny', reason: string, recordStatus: number, deferSync: boolean) =>
      deps.audit.append(
        { time: deps.clock().toISOString(), requestId, plane: 'gateway', domainId: okmsId, ...(credentialId ? { credentialId } : {}), ...(identities ? { identities } : {}), action, ...(resource ? { resource } : {}), decision, reason, ...(policies ? { policies } : {}), status: recordStatus },
        { deferSync },
      );
    const raw = await readRawBody(req);
    try {
      const caller = await deps.authenticator.authenticate(socket, okmsId, forwardedCertificate(req, deps.proxy));
      accountId = caller.domain.accountId;
      credentialId = caller.credential.id;
      identities = (await deps.iam.resolveIdentities(accountId, caller.credential.identityURNs)).effective;
      if (raw === 'too_large') throw new GatewayError('body_too_large', '(body): the request body is larger than 64 KiB');
      const request: DataPlaneRequest = { method: req.method!, path, params, query: parseQuery(search), body: parseJsonBody(raw, req.headers['content-type']), socket };
      if (typeof route.action !== 'string') action = route.action(request);
      resource = route.resource({ req: request, domainUrn });
      const decide = (on: string) => deps.iam.decide({ accountId: accountId!, identities: identities!, action, resource: on, sourceIp: socket.remoteAddress ?? '' });
      const decision = route.perItem ? { allowed: true, reason: 'authorized_per_item', policies: [] } : await decide(resource);
      policies = decision.policies.filter((p) => p.outcome === 'allow' || p.outcome === 'deny').map((p) => p.policyId);
      if (!decision.allowed) throw new GatewayError('identity_not_authorized', `${action} on ${resource} is not allowed for this certificate (${decision.reason})`);
      allowed = true;
      const reply = await route.run({ req: request, caller, requestId, domainUrn, authorize: async (on) => (await decide(on)).allowed });
      await audit('allow', decision.reason, reply.status, route.changesState !== true);
      observe('allow', decision.reason, started);
      status = reply.status;
      sendJson(res, status, requestId, reply.body);
    } catch (thrown) {
      const error = asGatewayError(thrown);
      if (error.reason === 'internal') deps.logger.error({ requestId, err: thrown instanceof Error ? thrown.message : String(thrown) }, 'data-plane call failed');
      observe(allowed ? 'allow' : 'deny', error.reason, started);
      await audit(allowed ? 'allow' : 'deny', error.reason, error.status, !(allowed && route.changesState)).catch((auditError: unknown) =>
        deps.logger.error({ requestId, err: String(auditError) }, 'audit append failed'),
      );
      status = error.status;
      code = error.reason;
      if (error.reason === 'body_too_large') res.shouldKeepAlive = false;
      sendJson(res, status, requestId, okmsErrorBody(error, requestId));
    }
    // Each call is in the audit log already: the log line is for refusals and failures (and for debug).
    logRequest(deps.logger, { requestId, method: req.method!, path, status, ms: elapsedMs(started), ...(accountId ? { account: accountId } : {}), ...(code ? { code } : {}) }, status < 400 ? 'debug' : 'info');
  };

  const notFound = (req: IncomingMessage, res: ServerResponse, path: string) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(req.headers['x-request-id']);
    req.resume();
    sendJson(res, 404, requestId, okmsErrorBody(new GatewayError('not_found', `no data-plane route for ${req.method} ${path}`), requestId));
    logRequest(deps.logger, { requestId, method: req.method ?? '', path, status: 404, ms: elapsedMs(started), code: 'not_found' });
  };

  const listener: RequestListener = (req, res) => {
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    if (barbican && isBarbicanPath(path)) {
      barbican(req, res);
      return;
    }
    const match = router.match(req.method ?? '', path);
    if (!match) {
      notFound(req, res, path);
      return;
    }
    serve(req, res, match.route.route, match.params, path, queryAt === -1 ? '' : url.slice(queryAt)).catch((error: unknown) => {
      // Only a client that went away mid-body, or a bug in the lines above, lands here.
      deps.logger.warn({ err: error instanceof Error ? error.message : String(error), path }, 'data-plane request abandoned');
      if (!res.headersSent) res.destroy();
    });
  };
  return { listener, routes: mounted.map((m) => `${m.method.toUpperCase()} ${m.path}`) };
}
