import { OkmsError } from './errors';

/** OVH IAM URNs: `urn:v1:{region}:identity:{kind}:{account}[/{name}]` and `urn:v1:{region}:resource:okms:{id}`. */
export const IDENTITY_KINDS = ['account', 'user', 'group', 'credential'] as const;
export type IdentityKind = (typeof IDENTITY_KINDS)[number];

export interface IdentityUrn {
  readonly region: string;
  readonly kind: IdentityKind;
  readonly account: string;
  /** Present for user, group and credential identities; may itself contain `/` (federated users). */
  readonly name?: string;
  readonly urn: string;
}

const REGION = /^[a-z][a-z0-9-]{0,31}$/;
const ACCOUNT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NAME_SEGMENT = /^[A-Za-z0-9._@+=~-]{1,128}$/;
const MAX_URN_LENGTH = 512;

function invalid(field: string, value: string, reason: string): OkmsError {
  return new OkmsError('ERR_URN_INVALID', `${field}: "${truncate(value)}" is not a valid identity URN: ${reason}`, {
    field,
    details: { urn: truncate(value), reason },
  });
}

function truncate(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}...` : value;
}

/** Parses an identity URN; `field` names the request field in the error. */
export function parseIdentityUrn(value: string, field = 'urn'): IdentityUrn {
  if (value.length > MAX_URN_LENGTH) throw invalid(field, value, `longer than ${MAX_URN_LENGTH} characters`);
  const parts = value.split(':');
  if (parts.length !== 6) throw invalid(field, value, 'expected urn:v1:{region}:identity:{kind}:{account}[/{name}]');
  const [urn, version, region, family, kind, rest] = parts as [string, string, string, string, string, string];
  if (urn !== 'urn' || version !== 'v1') throw invalid(field, value, 'must start with "urn:v1:"');
  if (!REGION.test(region)) throw invalid(field, value, `region "${truncate(region)}" is not valid`);
  if (family !== 'identity') throw invalid(field, value, `"${truncate(family)}" is not "identity"`);
  if (!(IDENTITY_KINDS as readonly string[]).includes(kind)) {
    throw invalid(field, value, `identity kind "${truncate(kind)}" is not one of ${IDENTITY_KINDS.join(', ')}`);
  }
  const slash = rest.indexOf('/');
  const account = slash === -1 ? rest : rest.slice(0, slash);
  const name = slash === -1 ? undefined : rest.slice(slash + 1);
  if (!ACCOUNT.test(account)) throw invalid(field, value, `account "${truncate(account)}" is not valid`);
  if (kind === 'account') {
    if (name !== undefined) throw invalid(field, value, 'an account identity has no "/name" part');
    return { region, kind, account, urn: value };
  }
  if (name === undefined) throw invalid(field, value, `a ${kind} identity needs "/{name}" after the account`);
  for (const segment of name.split('/')) {
    if (!NAME_SEGMENT.test(segment)) throw invalid(field, value, `name "${truncate(name)}" has an empty or invalid segment`);
  }
  return { region, kind: kind as IdentityKind, account, name, urn: value };
}

export function identityUrn(region: string, kind: IdentityKind, account: string, name?: string): string {
  return `urn:v1:${region}:identity:${kind}:${account}${name === undefined ? '' : `/${name}`}`;
}

export function okmsResourceUrn(region: string, okmsId: string): string {
  return `urn:v1:${region}:resource:okms:${okmsId}`;
}

export function isValidAccountId(value: string): boolean {
  return ACCOUNT.test(value);
}
