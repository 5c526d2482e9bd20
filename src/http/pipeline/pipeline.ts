import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { AuditLog, AuditRecord } from '../../audit/audit-log';
import { OkmsError } from '../../domain/errors';
import { identityUrn, okmsResourceUrn } from '../../domain/urn';
import type { Decision } from '../../iam/decide';
import type { IamService } from '../../iam/iam-service';
import type { Metrics } from '../../observability/metrics';
import type { BarbicanCaller } from '../../secrets/barbican-model';
import { refusalReasonOf } from './okms-error';
import { UUID_PARAMS, uuidParam } from '../params';
import { logRequest, requestIdFrom, type RequestLine } from '../request-log';
import type { RateLimiter } from './rate-limiter';
import { RefusalLog } from './refusal-log';
import { renderError, renderReply, toOkmsError, type Rendered } from './render';
import { bodyRequired, bodyTooLarge, contentTypeIs, parseBody, parseQuery } from './request-body';
import type { AdminCaller, AuthKind, CertificateCaller, Dialect, HttpRequest, Reply, Route } from './route';

/** How each kind of caller is recognised on this plane; a kind the plane lacks is refused with a 404. */
export interface Authenticators {
  readonly admin?: (req: HttpRequest) => Promise<AdminCaller>;
  readonly certificate?: (req: HttpRequest) => Promise<CertificateCaller>;
  readonly barbican?: (req: HttpRequest) => Promise<BarbicanCaller>;
}

export interface PipelineDeps {
  readonly plane: 'control' | 'gateway';
  readonly authenticators: Authenticators;
  readonly iam: IamService;
  readonly audit: AuditLog;
  readonly urnRegion: string;
  readonly clock: () => Date;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly limits: { readonly unauthenticated: RateLimiter; readonly perCaller: RateLimiter };
  /** The gateway audits every authenticated call; the control plane its changes. */
  readonly auditReads: boolean;
}

/** A request as a server adapter read it: matched to a route, the body still raw. */
export interface IncomingCall {
  readonly method: string;
  readonly path: string;
  readonly search: string;
  readonly params: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly socket: Socket;
  readonly raw: Buffer | 'too_large';
}

export interface Outcome {
  readonly rendered: Rendered;
  /** The connection should close after this reply (a body too large was drained). */
  readonly close: boolean;
}

const MAX_FIELD = 512;
const MAX_IDENTITIES = 64;
const cap = (value: string, max = MAX_FIELD) => (value.length > max ? `${value.slice(0, max)}…` : value);
const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
const VAULT_PATH = /^\/api\/[^/]+\/v1\/secret(?:\/|$)/;
function dialectOfPath(plane: 'control' | 'gateway', path: string): Dialect {
  if (under(path, '/v1')) return 'barbican';
  if (plane === 'gateway') return VAULT_PATH.test(path) ? 'vault' : 'okms';
  return under(path, '/v3') ? 'keystone' : 'control';
}
const elapsedMs = (started: bigint) => Number((process.hrtime.bigint() - started) / 1000n) / 1000;
const expressStyle = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');

/** What decide granted: IAM's decision, or `authorized_per_item` for a listing that checks each item. */
type Granted = Omit<Decision, 'reason'> & { readonly reason: string };

/** What the pipeline has learnt of a call so far; the audit record and the log line are made from it. */
interface CallState {
  action: string;
  authenticated: boolean;
  domainId?: string;
  credentialId?: string;
  tokenId?: string;
  identities?: readonly string[];
  resource?: string;
  decision?: Granted;
  principal?: string;
}

function makeRequest(call: IncomingCall, dialect: Dialect): HttpRequest & { body: unknown } {
  const { headers } = call;
  const get = (name: string) => {
    const value = headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };
  const encoding = get('content-encoding');
  const payloadEncoding = dialect === 'barbican' && call.method === 'PUT' && encoding !== undefined && /^\s*base64\s*$/i.test(encoding) ? 'base64' : undefined;
  return {
    method: call.method, path: call.path, params: call.params, headers, socket: call.socket, remoteAddress: call.socket.remoteAddress ?? '',
    query: parseQuery(call.search, dialect === 'okms' || dialect === 'vault'), body: undefined, payloadEncoding, get,
    is: (types) => contentTypeIs(get('content-type'), types),
  };
}

/**
 * The one request pipeline of every plane, each step once, in this order:
 * limits → authenticate → identities → read the body → decide → (the handler validates) → run → audit → render.
 * A call refused before its caller is known is counted and logged at a bounded rate, never stored; every other
 * audited call's record is committed before its reply, and a record that cannot be written fails the call.
 */
export class Pipeline {
  private readonly refusals: RefusalLog;

  constructor(private readonly deps: PipelineDeps) {
    this.refusals = new RefusalLog(deps.logger, () => deps.clock().getTime());
  }

  async run(route: Route, call: IncomingCall): Promise<Outcome> {
    const started = process.hrtime.bigint();
    const requestId = requestIdFrom(call.headers['x-request-id']);
    const source = call.socket.remoteAddress ?? '';
    // The route's method, not the request's: a HEAD served by a GET route is that GET (not audited as a change).
    const method = route.method.toUpperCase();
    const initialAction = route.auth === 'certificate' ? (typeof route.action === 'string' ? route.action : route.action({ body: undefined })) : `${method} ${expressStyle(route.path)}`;
    // A route without authentication has a caller worth a record only once it answered (a login that worked).
    const state: CallState = { action: initialAction, authenticated: false };
    let reply: Reply | undefined;
    let failure: OkmsError | undefined;
    try {
      // limits: a source that keeps failing to authenticate waits, before anything is looked up.
      const wait = this.deps.limits.unauthenticated.wouldWait(source);
      if (wait > 0) throw new OkmsError('ERR_RATE_LIMITED', 'too many failed authentications from this address; retry later', { reason: 'rate_limited', retryAfterSeconds: wait });
      for (const name of UUID_PARAMS) if (call.params[name] !== undefined) uuidParam(call.params, name);
      const req = makeRequest(call, route.dialect);
      reply = await this.authorizedRun(route, req, call, requestId, state);
    } catch (thrown) {
      failure = toOkmsError(thrown);
      if (failure.status >= 500) this.deps.logger.error({ requestId, code: failure.code, err: thrown instanceof Error ? thrown.message : String(thrown) }, 'request failed');
    }
    // audit: no record, no answer.
    if (state.authenticated && this.audited(route, method)) {
      try {
        await this.deps.audit.append(this.record(route, call, requestId, state, reply, failure), { deferSync: !(this.changesState(route, method) && reply !== undefined) });
      } catch (auditError) {
        this.deps.logger.error({ requestId, err: String(auditError) }, 'audit append failed: the call is answered 500');
        failure = new OkmsError('ERR_INTERNAL', undefined, { cause: auditError });
        reply = undefined;
      }
    }
    const status = reply?.status ?? failure!.status;
    const line: RequestLine = { requestId, method: call.method, path: cap(call.path, 256), status, ms: elapsedMs(started), ...(state.principal ? { account: state.principal } : {}), ...(failure ? { code: this.codeOf(failure) } : {}) };
    this.observe(route, state, failure, started);
    // The source's bucket pays for failed authentications, and for every call that writes without an authenticated
    // caller (a login: its token and its record), so that neither can be repeated without bound.
    if ((!state.authenticated && failure?.status === 401) || (route.auth === 'none' && this.changesState(route, method))) this.deps.limits.unauthenticated.take(source);
    if (!state.authenticated) this.refusals.note(line);
    else logRequest(this.deps.logger, line, this.deps.plane === 'gateway' && status < 400 ? 'debug' : 'info');
    if (reply) return { rendered: renderReply(reply, requestId), close: false };
    return { rendered: renderError(route.dialect, failure!, requestId), close: failure!.code === 'ERR_BODY_TOO_LARGE' };
  }

  /**
   * A request no route takes: 405 with Allow when another method would, else 404, in the dialect its path speaks
   * (Barbican's and Keystone's clients read their own bodies); counted and sampled like refusals.
   */
  unmatched(call: Pick<IncomingCall, 'method' | 'path' | 'headers'>, allowed: readonly string[]): Rendered {
    const dialect = dialectOfPath(this.deps.plane, call.path);
    const what = dialect === 'barbican' && this.deps.plane === 'gateway' ? 'Barbican route' : dialect === 'okms' || dialect === 'vault' ? 'data-plane route' : 'route';
    const notFoundMessage = `no ${what} for ${call.method} ${call.path.slice(0, 256)}`;
    const requestId = requestIdFrom(call.headers['x-request-id']);
    const error = allowed.length > 0
      ? new OkmsError('ERR_METHOD_NOT_ALLOWED', `${call.method} is not allowed on ${cap(call.path, 256)}; use ${allowed.join(', ')}`, { reason: 'method_not_allowed' })
      : new OkmsError('ERR_NOT_FOUND', notFoundMessage, { reason: 'not_found' });
    this.deps.metrics?.refusal(this.deps.plane, error.reason!);
    this.refusals.note({ requestId, method: cap(call.method, 16), path: cap(call.path, 256), status: error.status, ms: 0, code: error.reason! });
    return renderError(dialect, error, requestId, allowed.length > 0 ? { Allow: allowed.join(', ') } : {});
  }

  private async authorizedRun(route: Route, req: HttpRequest & { body: unknown }, call: IncomingCall, requestId: string, state: CallState): Promise<Reply> {
    const { deps } = this;
    // authenticate, and the identities that count
    const caller = await this.authenticate(route.auth, req);
    state.authenticated = route.auth !== 'none';
    const principal = this.principalOf(route.auth, caller, state);
    if (principal) {
      state.principal = principal;
      const wait = deps.limits.perCaller.take(principal);
      if (wait > 0) throw new OkmsError('ERR_RATE_LIMITED', 'too many requests for this caller; retry later', { reason: 'rate_limited', retryAfterSeconds: wait });
    }
    // the body, as the route takes it (the action may depend on it: create or import)
    if (call.raw === 'too_large') throw bodyTooLarge();
    const consumes = route.consumes ?? ['application/json'];
    // Vault clients (the Go one) may send JSON without a Content-Type, as the Vault server accepts it.
    const contentType = req.get('content-type') ?? (route.dialect === 'vault' ? 'application/json' : undefined);
    req.body = parseBody(call.raw, contentType, req.payloadEncoding ? undefined : req.get('content-encoding'), consumes);
    if (req.body === undefined && (route.schemas?.body !== undefined || route.consumes !== undefined) && !route.bodyOptional) throw bodyRequired();
    const params = req.params;
    switch (route.auth) {
      case 'none': {
        const reply = await route.handle({ req, requestId, params });
        state.authenticated = true;
        return reply;
      }
      case 'admin': return route.handle({ req, requestId, params, account: (caller as AdminCaller).account, caller: caller as AdminCaller });
      case 'barbican': return route.handle({ req, requestId, params, caller: caller as BarbicanCaller });
      case 'certificate': {
        // decide: the route's action on its resource, for these identities
        const peer = caller as CertificateCaller;
        const domainUrn = okmsResourceUrn(deps.urnRegion, peer.domain.id);
        state.action = typeof route.action === 'string' ? route.action : route.action(req);
        const decideOn = (resource: string, action = state.action) => deps.iam.decide({ accountId: peer.domain.accountId, identities: peer.identities, action, resource, sourceIp: req.remoteAddress });
        state.resource = route.resource({ req, domainUrn });
        const granted: Granted = route.perItem ? { allowed: true, reason: 'authorized_per_item', policies: [] } : await decideOn(state.resource);
        state.decision = granted;
        if (!granted.allowed) {
          throw new OkmsError('ERR_FORBIDDEN', `${state.action} on ${state.resource} is not allowed for this ${peer.token ? 'token' : 'certificate'} (${granted.reason})`, { reason: 'identity_not_authorized' });
        }
        return route.handle({ req, requestId, params, caller: peer, domainUrn, authorize: async (on, action) => (await decideOn(on, action)).allowed });
      }
    }
  }

  private async authenticate(kind: AuthKind, req: HttpRequest): Promise<AdminCaller | CertificateCaller | BarbicanCaller | undefined> {
    if (kind === 'none') return undefined;
    const authenticate = this.deps.authenticators[kind] as ((req: HttpRequest) => Promise<AdminCaller | CertificateCaller | BarbicanCaller>) | undefined;
    if (!authenticate) throw new OkmsError('ERR_NOT_FOUND', `no route for ${req.method} ${cap(req.path, 256)} on this plane`, { reason: 'not_found' });
    return authenticate(req);
  }

  /** The caller's rate-limit key, and what the audit record says of it. */
  private principalOf(kind: AuthKind, caller: AdminCaller | CertificateCaller | BarbicanCaller | undefined, state: CallState): string | undefined {
    const { urnRegion } = this.deps;
    switch (kind) {
      case 'admin': {
        const admin = caller as AdminCaller;
        state.identities = [identityUrn(urnRegion, 'account', admin.account.id)];
        return `admin:${admin.tokenId}`;
      }
      case 'certificate': {
        const peer = caller as CertificateCaller;
        state.domainId = peer.domain.id;
        state.identities = peer.identities;
        if (peer.token) {
          state.tokenId = peer.token.id;
          return `token:${peer.token.id}`; // the rate limits apply per token
        }
        state.credentialId = peer.credential!.id;
        return `cert:${peer.domain.id}/${peer.credential!.id}`;
      }
      case 'barbican': {
        const user = caller as BarbicanCaller;
        if (this.deps.plane === 'gateway') state.domainId = user.projectId;
        state.identities = user.identities ?? [identityUrn(urnRegion, 'user', user.accountId, user.userId)];
        return `barbican:${user.accountId}/${user.userId}`;
      }
      default:
        return undefined;
    }
  }

  /** A failure's machine-readable name in logs and metrics: the gateway's refusal reason, the control plane's code. */
  private codeOf(failure: OkmsError): string {
    return this.deps.plane === 'gateway' ? refusalReasonOf(failure) : failure.reason ?? failure.code;
  }

  private audited(route: Route, method: string): boolean {
    if (route.auth === 'none') return method !== 'GET';
    return this.deps.auditReads || method !== 'GET';
  }

  private changesState(route: Route, method: string): boolean {
    return route.changesState ?? (route.auth !== 'certificate' && method !== 'GET');
  }

  private record(route: Route, call: IncomingCall, requestId: string, state: CallState, reply: Reply | undefined, failure: OkmsError | undefined): AuditRecord {
    const status = reply?.status ?? failure!.status;
    const certificate = route.auth === 'certificate';
    const allowed = certificate ? state.decision?.allowed === true : status < 400;
    const reason = failure
      ? certificate || route.dialect === 'okms' ? refusalReasonOf(failure) : failure.code
      : reply?.audit?.reason ?? (certificate ? state.decision!.reason : 'ok');
    const policies = state.decision?.policies.filter((p) => p.outcome === 'allow' || p.outcome === 'deny').map((p) => p.policyId);
    const notes = reply?.audit;
    const identities = notes?.identityURNs && route.auth === 'none' ? notes.identityURNs : state.identities;
    return {
      time: this.deps.clock().toISOString(), requestId, plane: this.deps.plane,
      ...(state.domainId ? { domainId: state.domainId } : call.params.okmsId ? { domainId: call.params.okmsId.toLowerCase() } : {}),
      ...(state.credentialId ? { credentialId: state.credentialId } : {}),
      ...(state.tokenId ? { tokenId: state.tokenId } : {}),
      ...(identities ? { identities: identities.slice(0, MAX_IDENTITIES).map((urn) => cap(urn, 256)) } : {}),
      action: cap(state.action, 128),
      resource: cap(state.resource ?? call.path),
      decision: allowed ? 'allow' : 'deny',
      reason: cap(reason, 64),
      ...(policies && policies.length > 0 ? { policies } : certificate && state.decision ? { policies: [] } : {}),
      status,
      ...(notes?.objectId ? { objectId: cap(notes.objectId, 128) } : {}),
      ...(notes?.serial ? { serial: cap(notes.serial, 128) } : {}),
      ...(notes?.identityURNs && route.auth !== 'none' ? { objectIdentities: notes.identityURNs.slice(0, MAX_IDENTITIES).map((urn) => cap(urn, 256)) } : {}),
    };
  }

  private observe(route: Route, state: CallState, failure: OkmsError | undefined, started: bigint): void {
    const { metrics, plane } = this.deps;
    if (!metrics) return;
    if (plane === 'gateway' && route.auth === 'certificate') {
      const reason = failure ? refusalReasonOf(failure) : state.decision?.reason ?? 'ok';
      metrics.gatewayCall(state.decision?.allowed ? 'allow' : 'deny', reason, Number(process.hrtime.bigint() - started) / 1e9);
    }
    if (!state.authenticated && failure) metrics.refusal(plane, this.codeOf(failure));
    if (failure?.code === 'ERR_RATE_LIMITED') metrics.rateLimited.inc({ plane, scope: state.authenticated ? 'caller' : 'source' });
  }
}
