import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import { OkmsError } from '../domain/errors';
import type { Account } from '../domain/types';
import type { BarbicanCaller } from '../secrets/barbican-model';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RequestContext {
  readonly req: Request;
  readonly requestId: string;
  /** Set when the route requires an admin token. */
  readonly account: Account;
  readonly params: Readonly<Record<string, string>>;
  /** Set when the route takes a Keystone token (the Barbican API). */
  readonly caller: BarbicanCaller;
}

export interface Reply {
  readonly status: number;
  readonly body?: unknown;
  /** A non-JSON body (Prometheus text, a secret's payload) with its content type. */
  readonly text?: { readonly contentType: string; readonly body: string | Buffer };
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * One declaration per endpoint: it drives Express wiring, authentication, accepted content types and
 * (issue 5/6) the OpenAPI document. Handlers validate their input with the schema validators and return
 * a Reply; they never touch `res`.
 */
export interface RouteSpec {
  readonly method: HttpMethod;
  /** OpenAPI-style path: /okms/resource/{okmsId} */
  readonly path: string;
  readonly summary: string;
  readonly auth: 'admin' | 'none' | 'keystone';
  /** The IAM action a Keystone-authenticated route checks (the action catalogue lists it). */
  readonly action?: string;
  /** Content types a body may have; a route without it takes no body. */
  readonly consumes?: readonly string[];
  /** Schema ids, for documentation. */
  readonly schemas?: { readonly body?: string; readonly query?: string };
  /** The success status, for documentation; by default 201 for POST, 204 for DELETE, 200 otherwise. */
  readonly success?: number;
  handle(ctx: RequestContext): Promise<Reply>;
}

export type Authenticate = (authorization: string | undefined) => Promise<Account>;
export type AuthenticateKeystone = (req: Request) => Promise<BarbicanCaller>;

const toExpressPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');
const toMatcher = (path: string): RegExp => new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}/?$`);

function hasBody(req: Request): boolean {
  const length = req.get('content-length');
  return (length !== undefined && length !== '0') || req.get('transfer-encoding') !== undefined;
}

function checkContentType(route: RouteSpec, req: Request): void {
  if (!route.consumes) return;
  if (!hasBody(req)) {
    throw new OkmsError('ERR_VALIDATION', '(body): a request body is required', { field: '(body)' });
  }
  if (!req.is([...route.consumes])) {
    throw new OkmsError('ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Type must be one of ${route.consumes.join(', ')}`, {
      field: 'Content-Type',
      details: { received: req.get('content-type') ?? null },
    });
  }
}

export function mountRoutes(app: Express, routes: readonly RouteSpec[], authenticate: Authenticate, authenticateKeystone?: AuthenticateKeystone): void {
  for (const route of routes) {
    const handler: RequestHandler = async (req: Request, res: Response) => {
      const account = route.auth === 'admin' ? await authenticate(req.get('authorization')) : (undefined as unknown as Account);
      if (account) res.locals.accountId = account.id;
      let caller = undefined as unknown as BarbicanCaller;
      if (route.auth === 'keystone') {
        if (!authenticateKeystone) throw new Error(`no Keystone authentication for ${route.path}`);
        caller = await authenticateKeystone(req);
        res.locals.accountId = caller.accountId;
        res.locals.keystoneUser = caller.userId;
      }
      checkContentType(route, req);
      const reply = await route.handle({
        req,
        requestId: String(res.locals.requestId),
        account,
        caller,
        params: req.params as Record<string, string>,
      });
      res.statusCode = reply.status;
      res.setHeader('Cache-Control', 'no-store');
      if (reply.headers) for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value);
      if (reply.text) {
        res.setHeader('Content-Type', reply.text.contentType);
        res.end(reply.text.body);
        return;
      }
      if (reply.body === undefined) {
        res.end();
        return;
      }
      // Written directly: Express's res.json/res.send re-inspect the body and headers on every call.
      const json = JSON.stringify(reply.body);
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Content-Length', Buffer.byteLength(json));
      res.end(json);
    };
    app[route.method](toExpressPath(route.path), handler);
  }

  // Anything unmatched: 405 with Allow when the path exists under another method, else 404.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const allowed = routes.filter((r) => toMatcher(r.path).test(req.path)).map((r) => r.method.toUpperCase());
    if (allowed.length > 0) {
      _res.set('Allow', [...new Set(allowed)].join(', '));
      next(new OkmsError('ERR_METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.path}; use ${allowed.join(', ')}`));
      return;
    }
    next(new OkmsError('ERR_NOT_FOUND', `no route for ${req.method} ${req.path}`));
  });
}
