import { GatewayError } from '../pipeline/okms-error';
import type { RouteContext } from '../pipeline/route';

/**
 * A second IAM check a call needs besides its route's action: a secret's data beside its metadata, creating a path
 * a Vault write names, BYOK's wrapKey / unwrapKey on the transport key. Refused as the pipeline refuses (403).
 */
export async function requireAlso(ctx: RouteContext<'certificate'>, action: string, resource: string): Promise<void> {
  if (!(await ctx.authorize(resource, action))) throw new GatewayError('identity_not_authorized', `${action} on ${resource} is not allowed for this caller`);
}
