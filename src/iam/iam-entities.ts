import { randomBytes } from 'node:crypto';
import { checkOwnIdentities } from '../domain/identity-check';
import type { GroupDoc, IamDocs, IamKind, IamRecordOf, PolicyConditions, PolicyDoc, ServiceAccountDoc } from '../domain/records';
import type { Account } from '../domain/types';
import { identityUrn } from '../domain/urn';
import type { Policy } from './decide';
import { hashPassword } from './passwords';
import { checkActionPatterns, checkResourcePatterns, checkSourceIps } from './iam-validation';

/** An entity's stored fields less what the service adds itself (uid, passwordChangedAt). */
export type EntityFields<K extends IamKind> = Omit<IamDocs[K], 'uid' | 'passwordChangedAt'>;

/**
 * How one IAM entity kind is named, validated, stored and shown. The CRUD service is the same for all four.
 * C and U: what a create and an update accept (already schema-checked: the HTTP layer's generated request types
 * must be assignable to them).
 */
export interface IamKindSpec<K extends IamKind, C, U> {
  readonly kind: K;
  /** The name of the path parameter and of the entity in messages. */
  readonly idField: string;
  /** The id of a new entity, from the request (or generated). */
  idOf(input: C): string;
  /** Validates `input` and returns the fields to store (an update starts from `existing`). */
  toDoc(input: C | U, account: Account, urnRegion: string, existing?: IamDocs[K]): Promise<EntityFields<K>>;
  view(record: IamRecordOf<K>, urnRegion: string): Record<string, unknown>;
}

const stamps = (r: { createdAt: string; updatedAt: string }) => ({ createdAt: r.createdAt, updatedAt: r.updatedAt });

export interface UserInput {
  readonly login?: string;
  readonly password?: string;
  readonly email?: string;
  readonly description?: string;
  readonly group?: string;
}

export const USER: IamKindSpec<'user', UserInput & { readonly login: string }, UserInput> = {
  kind: 'user',
  idField: 'login',
  idOf: (input) => input.login,
  async toDoc(input, _account, _region, existing): Promise<EntityFields<'user'>> {
    const password = input.password !== undefined ? await hashPassword(input.password) : existing?.passwordHash;
    return {
      login: existing?.login ?? input.login ?? '',
      email: input.email ?? existing?.email ?? '',
      description: input.description ?? existing?.description ?? '',
      group: input.group ?? existing?.group ?? '',
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

export interface GroupInput {
  readonly name?: string;
  readonly description?: string;
  readonly members?: readonly string[];
}

export const GROUP: IamKindSpec<'group', GroupInput & { readonly name: string }, GroupInput> = {
  kind: 'group',
  idField: 'name',
  idOf: (input) => input.name,
  async toDoc(input, account, region, existing): Promise<EntityFields<'group'>> {
    const members = [...(input.members ?? existing?.members ?? [])];
    checkOwnIdentities(members, account, region, 'members', ['user', 'credential']);
    return { name: existing?.name ?? input.name ?? '', description: input.description ?? existing?.description ?? '', members } satisfies Omit<GroupDoc, 'uid'>;
  },
  view: (r, region) => ({ name: r.id, urn: identityUrn(region, 'group', r.accountId, r.id), description: r.doc.description, members: r.doc.members, ...stamps(r) }),
};

export interface ServiceAccountInput {
  readonly id?: string;
  readonly name?: string;
  readonly description?: string;
}

export const SERVICE_ACCOUNT: IamKindSpec<'serviceAccount', ServiceAccountInput, ServiceAccountInput> = {
  kind: 'serviceAccount',
  idField: 'id',
  idOf: (input) => input.id ?? `sa-${randomBytes(6).toString('hex')}`,
  async toDoc(input, _account, _region, existing): Promise<EntityFields<'serviceAccount'>> {
    return { name: input.name ?? existing?.name ?? '', description: input.description ?? existing?.description ?? '' } satisfies Omit<ServiceAccountDoc, 'uid'>;
  },
  view: (r, region) => ({ id: r.id, urn: identityUrn(region, 'credential', r.accountId, r.id), name: r.doc.name, description: r.doc.description, ...stamps(r) }),
};

/** A policy as the API takes it (OVH IAM v2 shape). */
export interface PolicyInput {
  readonly name: string;
  readonly description?: string;
  readonly identities: readonly string[];
  readonly resources: ReadonlyArray<{ readonly urn: string }>;
  readonly permissions: { readonly allow?: ReadonlyArray<{ readonly action: string }>; readonly except?: ReadonlyArray<{ readonly action: string }>; readonly deny?: ReadonlyArray<{ readonly action: string }> };
  readonly conditions?: PolicyConditions;
}

export const POLICY: IamKindSpec<'policy', PolicyInput, PolicyInput> = {
  kind: 'policy',
  idField: 'id',
  idOf: () => crypto.randomUUID(),
  async toDoc(body, account, region): Promise<PolicyDoc> {
    checkOwnIdentities(body.identities, account, region, 'identities');
    const resources = body.resources.map((r) => r.urn);
    checkResourcePatterns(resources, region);
    const actions = (list?: ReadonlyArray<{ action: string }>) => (list ?? []).map((a) => a.action);
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
    resources: r.doc.resources.map((urn) => ({ urn })),
    permissions: {
      allow: r.doc.allow.map((action) => ({ action })),
      except: r.doc.except.map((action) => ({ action })),
      deny: r.doc.deny.map((action) => ({ action })),
    },
    conditions: r.doc.conditions,
    ...stamps(r),
  }),
};

export function policyFromRecord(r: IamRecordOf<'policy'>): Policy {
  return {
    id: r.id,
    accountId: r.accountId,
    name: r.doc.name,
    identities: r.doc.identities,
    resources: r.doc.resources,
    permissions: { allow: r.doc.allow, except: r.doc.except, deny: r.doc.deny },
    conditions: r.doc.conditions ?? {},
  };
}

