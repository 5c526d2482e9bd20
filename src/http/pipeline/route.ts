import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Account, ApiTokenRecord, CredentialRecord, DomainRecord } from '../../domain/types';
import type { AdminIdentity } from '../../iam/admin-tokens';
import type { BarbicanCaller } from '../../secrets/barbican-model';
import type { SchemaId } from '../validation';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * How a route's caller proves who it is. `barbican` is the Barbican API's caller: a Keystone token on the control
 * plane, the access certificate on the gateway (each plane brings its own authenticator for it).
 */
export type AuthKind = 'none' | 'admin' | 'certificate' | 'barbican';

/** The error body a route answers in: OVH control plane, OKMS data plane, Barbican, Keystone. */
export type Dialect = 'control' | 'okms' | 'vault' | 'barbican' | 'keystone';

/** A request as every route sees it, whichever server read it. */
export interface HttpRequest {
  /** Upper case. */
  readonly method: string;
  readonly path: string;
  /** The `{name}` segments of the route's path, URL-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** A parameter given more than once is an array (the data plane refuses it instead). */
  readonly query: Readonly<Record<string, string | string[] | undefined>>;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body, the raw bytes for a non-JSON type the route consumes, or undefined when there is none. */
  readonly body: unknown;
  readonly socket: Socket;
  readonly remoteAddress: string;
  /** Barbican's `Content-Encoding: base64` on a payload PUT, which is no HTTP coding and is taken aside. */
  readonly payloadEncoding: string | undefined;
  /** A header's value (the first one when repeated). */
  get(name: string): string | undefined;
  /** Whether the body's content type is one of `types`. */
  is(types: readonly string[]): boolean;
}

/** The admin token's account and id (never its secret): rate limits and audit records name the id. */
export type AdminCaller = AdminIdentity;

/** A data-plane caller: an access certificate's credential, or (from [10/12]) a personal access token. */
export interface CertificateCaller {
  readonly domain: DomainRecord;
  /** The access certificate's credential; absent when the caller came with a token. */
  readonly credential?: CredentialRecord;
  /** The personal access token (its record: id, subject; never its secret); absent for a certificate. */
  readonly token?: ApiTokenRecord;
  /** The identities that count now (IAM's resolution of the credential's URNs, or of the token's subject). */
  readonly identities: readonly string[];
}

export interface CallerByAuth {
  readonly none: undefined;
  readonly admin: AdminCaller;
  readonly certificate: CertificateCaller;
  readonly barbican: BarbicanCaller;
}

interface BaseContext {
  readonly req: HttpRequest;
  readonly requestId: string;
  readonly params: Readonly<Record<string, string>>;
}

export interface ContextByAuth {
  readonly none: BaseContext;
  readonly admin: BaseContext & { readonly account: Account; readonly caller: AdminCaller };
  readonly certificate: BaseContext & {
    readonly caller: CertificateCaller;
    /** urn:v1:{region}:resource:okms:{okmsId} */
    readonly domainUrn: string;
    /**
     * Whether the caller may do this route's action (or `action`: a second one the call needs, such as reading a
     * secret's data beside its metadata) on `resource` (for routes that authorize per item).
     */
    authorize(resource: string, action?: string): Promise<boolean>;
  };
  readonly barbican: BaseContext & { readonly caller: BarbicanCaller };
}

export type RouteContext<A extends AuthKind> = ContextByAuth[A];

/** What the audit record of a call says about its object, beyond the route: ids and URNs, never secrets. */
export interface AuditNotes {
  readonly objectId?: string;
  readonly serial?: string;
  readonly identityURNs?: readonly string[];
  /** Overrides `ok` as the record's reason (e.g. `forced`). */
  readonly reason?: string;
}

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  /** A non-JSON body (Prometheus text, a secret's payload) with its content type. */
  readonly text?: { readonly contentType: string; readonly body: string | Buffer };
  readonly headers?: Readonly<Record<string, string>>;
  readonly audit?: AuditNotes;
}

interface RouteBase {
  readonly method: HttpMethod;
  /** OpenAPI-style path: /okms/resource/{okmsId}, /api/{okmsId}/v1/servicekey/{keyId}. */
  readonly path: string;
  readonly summary: string;
  readonly dialect: Dialect;
  /**
   * The IAM action: the pipeline decides it for certificate routes; Barbican routes check it per object (the
   * catalogue and the OpenAPI document list both). A function where the body decides (create vs import).
   */
  readonly action?: string | ((req: Pick<HttpRequest, 'body'>) => string);
  /** Content types a body may have; JSON when unset. A route with `schemas.body` requires a body. */
  readonly consumes?: readonly string[];
  /** Schema ids (schemas/): the body's, the query's, and the query's when the body is raw (a bare CSR). */
  readonly schemas?: { readonly body?: SchemaId; readonly query?: SchemaId; readonly rawQuery?: SchemaId };
  /** The success body's content types, for documentation: JSON when unset; empty when the success has no body. */
  readonly produces?: readonly string[];
  /** A route with a body schema that may also be called without a body (renew: every field is optional). */
  readonly bodyOptional?: boolean;
  /** The success status, for documentation; by default 201 for POST, 204 for DELETE, 200 otherwise. */
  readonly success?: number;
  /** The call changes stored state: its audit record is synced to disk before the reply. Default: any method but GET. */
  readonly changesState?: boolean;
  /** Path parameters other than the UUIDs the pipeline checks: the pattern the handler enforces, for the document. */
  readonly paramPatterns?: Readonly<Record<string, { readonly pattern: string; readonly maxLength: number }>>;
}

export interface CertificateRoute extends RouteBase {
  readonly auth: 'certificate';
  readonly action: string | ((req: Pick<HttpRequest, 'body'>) => string);
  /** The resource URN the decision is about (the domain, or one key inside it). */
  resource(ctx: { req: HttpRequest; domainUrn: string }): string;
  /** A listing authorized item by item: the pipeline skips its decision and the handler filters with ctx.authorize. */
  readonly perItem?: boolean;
  handle(ctx: RouteContext<'certificate'>): Promise<Reply>;
}

type OtherRoute = { [A in Exclude<AuthKind, 'certificate'>]: RouteBase & { readonly auth: A; handle(ctx: RouteContext<A>): Promise<Reply> } }[Exclude<AuthKind, 'certificate'>];

/**
 * One declaration per endpoint of every plane: it drives the pipeline (authentication, decision, body, audit,
 * error dialect), the OpenAPI document and the action catalogue. Handlers return a Reply; they never touch a response.
 */
export type Route = CertificateRoute | OtherRoute;

/** A route as a family of routes declares it: the family's helper adds the dialect (distributes over the union). */
export type UndialectedRoute = Route extends infer R ? (R extends Route ? Omit<R, 'dialect'> : never) : never;

export function inDialect(dialect: Dialect, routes: readonly UndialectedRoute[]): Route[] {
  return routes.map((route) => ({ ...route, dialect }) as Route);
}

export const defaultSuccess = (method: HttpMethod) => (method === 'post' ? 201 : method === 'delete' ? 204 : 200);
