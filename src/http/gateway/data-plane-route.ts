import type { Caller } from './authenticate-client';
import type { DataPlaneRequest } from './data-plane-request';

export interface DataPlaneContext {
  readonly req: DataPlaneRequest;
  readonly caller: Caller;
  readonly requestId: string;
  /** urn:v1:{region}:resource:okms:{okmsId} */
  readonly domainUrn: string;
  /** Whether the caller may do this route's action on `resource` (for routes that authorize per item). */
  authorize(resource: string): Promise<boolean>;
}

export interface DataPlaneReply {
  readonly status: number;
  readonly body?: unknown;
}

/** One data-plane endpoint: its IAM action (from src/iam/actions.ts), the resource it acts on, the operation. */
export interface DataPlaneRoute {
  readonly method: 'get' | 'post' | 'patch' | 'delete';
  /** Under /api/{okmsId}, OpenAPI style. */
  readonly path: string;
  /** For the OpenAPI document: the success status and the request body's schema. */
  readonly success: number;
  readonly schemas?: { readonly body?: string };
  /** The IAM action; a function where the body decides (create vs import). */
  readonly action: string | ((req: Pick<DataPlaneRequest, 'body'>) => string);
  /**
   * A listing is authorized item by item (OKMS checks serviceKey/get on each key listed): the gateway then
   * skips its own decision and the route filters with ctx.authorize.
   */
  readonly perItem?: boolean;
  /** The operation changes stored state: its audit record is synced to disk before the reply (AuditLog.append). */
  readonly changesState?: boolean;
  /** The resource URN the decision is about (the domain, or one key inside it). */
  resource(ctx: { req: DataPlaneRequest; domainUrn: string }): string;
  run(ctx: DataPlaneContext): Promise<DataPlaneReply>;
}
