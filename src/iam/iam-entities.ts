import { randomBytes } from 'node:crypto';
import type { Account } from '../domain/types';
import { identityUrn } from '../domain/urn';
import type { IamKind, IamRecord } from '../domain/records';
import type { Policy } from './decide';
import { checkOwnIdentities } from '../domain/identity-check';
import { hashPassword } from './passwords';
import { checkActionPatterns, checkResourcePatterns, checkSourceIps } from './iam-validation';

/** How one IAM entity kind is named, validated, stored and shown. The CRUD service is the same for all four. */
export interface IamKindSpec {
  readonly kind: IamKind;
  /** The name of the path parameter and of the entity in messages. */
  readonly idField: string;
  readonly createSchema: 'iam-user-create' | 'iam-group-create' | 'iam-service-account-create' | 'iam-policy';
  readonly updateSchema: 'iam-user-update' | 'iam-group-update' | 'iam-service-account-update' | 'iam-policy';
  /** The id of a new entity, from the request (or generated). */
  idOf(input: Record<string, unknown>): string;
  /** Validates `input` (already schema-checked) and returns the document to store. */
  toDoc(input: Record<string, unknown>, account: Account, urnRegion: string, existing?: Record<string, unknown>): Promise<Record<string, unknown>>;
  view(record: IamRecord, urnRegion: string): Record<string, unknown>;
}

const str = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
const stamps = (r: IamRecord) => ({ createdAt: r.createdAt, updatedAt: r.updatedAt });

export const USER: IamKindSpec = {
  kind: 'user',
  idField: 'login',
  createSchema: 'iam-user-create',
  updateSchema: 'iam-user-update',
  idOf: (input) => str(input.login),
  async toDoc(input, _account, _region, existing) {
    const password = typeof input.password === 'string' ? await hashPassword(input.password) : existing?.passwordHash;
    return {
      login: str(existing?.login, str(input.login)),
      email: str(input.email, str(existing?.email)),
      description: str(input.description, str(existing?.description)),
      group: str(input.group, str(existing?.group)),
      ...(password === undefined ? {} : { passwordHash: password }),
    };
  },
  view: (r, region) => ({
    login: r.id,
    urn: identityUrn(region, 'user', r.accountId, r.id),
    email: r.doc.email,
    description: r.doc.description,
    group: r.doc.group || null,
    passwordSet: typeof r.doc.passwordHash === 'string',
    ...stamps(r),
  }),
};

export const GROUP: IamKindSpec = {
  kind: 'group',
  idField: 'name',
  createSchema: 'iam-group-create',
  updateSchema: 'iam-group-update',
  idOf: (input) => str(input.name),
  async toDoc(input, account, region, existing) {
    const members = input.members === undefined ? strings(existing?.members) : strings(input.members);
    checkOwnIdentities(members, account, region, 'members', ['user', 'credential']);
    return { name: str(existing?.name, str(input.name)), description: str(input.description, str(existing?.description)), members };
  },
  view: (r, region) => ({ name: r.id, urn: identityUrn(region, 'group', r.accountId, r.id), description: r.doc.description, members: r.doc.members, ...stamps(r) }),
};

export const SERVICE_ACCOUNT: IamKindSpec = {
  kind: 'serviceAccount',
  idField: 'id',
  createSchema: 'iam-service-account-create',
  updateSchema: 'iam-service-account-update',
  idOf: (input) => str(input.id, `sa-${randomBytes(6).toString('hex')}`),
  async toDoc(input, _account, _region, existing) {
    return { name: str(input.name, str(existing?.name)), description: str(input.description, str(existing?.description)) };
  },
  view: (r, region) => ({ id: r.id, urn: identityUrn(region, 'credential', r.accountId, r.id), name: r.doc.name, description: r.doc.description, ...stamps(r) }),
};

interface PolicyBody {
  name: string;
  description?: string;
  identities: string[];
  resources: Array<{ urn: string }>;
  permissions: { allow?: Array<{ action: string }>; except?: Array<{ action: string }>; deny?: Array<{ action: string }> };
  conditions?: { notBefore?: string; notAfter?: string; sourceIps?: string[] };
}

export const POLICY: IamKindSpec = {
  kind: 'policy',
  idField: 'id',
  createSchema: 'iam-policy',
  updateSchema: 'iam-policy',
  idOf: () => crypto.randomUUID(),
  async toDoc(input, account, region) {
    const body = input as unknown as PolicyBody;
    checkOwnIdentities(body.identities, account, region, 'identities');
    const resources = body.resources.map((r) => r.urn);
    checkResourcePatterns(resources, region);
    const actions = (list?: Array<{ action: string }>) => (list ?? []).map((a) => a.action);
    const [allow, except, deny] = [actions(body.permissions.allow), actions(body.permissions.except), actions(body.permissions.deny)];
    checkActionPatterns(allow, 'permissions.allow');
    checkActionPatterns(except, 'permissions.except');
    checkActionPatterns(deny, 'permissions.deny');
    checkSourceIps(body.conditions?.sourceIps ?? []);
    return { name: body.name, description: body.description ?? '', identities: body.identities, resources, allow, except, deny, conditions: body.conditions ?? {} };
  },
  view: (r) => ({
    id: r.id,
    name: r.doc.name,
    description: r.doc.description,
    identities: r.doc.identities,
    resources: strings(r.doc.resources).map((urn) => ({ urn })),
    permissions: {
      allow: strings(r.doc.allow).map((action) => ({ action })),
      except: strings(r.doc.except).map((action) => ({ action })),
      deny: strings(r.doc.deny).map((action) => ({ action })),
    },
    conditions: r.doc.conditions,
    ...stamps(r),
  }),
};

export function policyFromRecord(r: IamRecord): Policy {
  const conditions = (r.doc.conditions ?? {}) as Policy['conditions'];
  return {
    id: r.id,
    accountId: r.accountId,
    name: str(r.doc.name),
    identities: strings(r.doc.identities),
    resources: strings(r.doc.resources),
    permissions: { allow: strings(r.doc.allow), except: strings(r.doc.except), deny: strings(r.doc.deny) },
    ...(conditions ? { conditions } : {}),
  };
}
