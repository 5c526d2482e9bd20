import { randomUUID } from 'node:crypto';
import { BoundedMap } from '../domain/bounded-map';
import { OkmsError } from '../domain/errors';
import type { Account, Page, PageRequest } from '../domain/types';
import { identityUrn, parseIdentityUrn } from '../domain/urn';
import type { Repositories } from '../storage/ports';
import type { IamDocs, IamKind, IamRecordOf } from '../domain/records';
import { PolicyIndex, type Decision } from './decide';
import { policyFromRecord, type EntityFields, type IamKindSpec } from './iam-entities';

/** An account's IAM state as the decision needs it, read once and reused for at most SNAPSHOT_MAX_AGE_MS. */
interface IamSnapshot {
  readonly readAt: number;
  readonly users: ReadonlyMap<string, IamRecordOf<'user'>>;
  readonly serviceAccounts: ReadonlySet<string>;
  readonly groups: ReadonlyMap<string, readonly string[]>;
  /** Identity URN → the entity's uid (users, groups, service accounts). */
  readonly uids: ReadonlyMap<string, string>;
  /** Member URN → the groups that list it; user URN → the group its record names. */
  readonly groupsOfMember: ReadonlyMap<string, readonly string[]>;
  readonly index: PolicyIndex;
  /** resolveIdentities per certificate's URN list, for the snapshot's life: the data plane asks on every call. */
  readonly resolved: BoundedMap<string, ResolvedIdentities>;
}

const MAX_RESOLVED_PER_SNAPSHOT = 10_000;

export interface ResolvedIdentities {
  /** The identities that count: those of the certificate that still exist, plus the groups they belong to. */
  readonly effective: readonly string[];
  readonly ignored: ReadonlyArray<{ urn: string; reason: string }>;
}

/** Several okmsd nodes share one store: a node sees another node's IAM change within this bound. */
export const SNAPSHOT_MAX_AGE_MS = 1000;

/**
 * An entity's immutable internal id: set at creation and kept by every update. Entities made before uids existed
 * fall back to their creation time, which a re-created entity never shares either.
 */
export const uidOf = (record: IamRecordOf<'user' | 'group' | 'serviceAccount'>): string => record.doc.uid ?? `created:${record.createdAt}`;

const BOUND_KINDS = { user: 'user', group: 'group', credential: 'serviceAccount' } as const;

export class IamService {
  private readonly snapshots = new Map<string, IamSnapshot>();
  /** One store read per account at a time: the calls that find the snapshot stale together share it. */
  private readonly loading = new Map<string, Promise<IamSnapshot>>();

  constructor(private readonly deps: { store: Pick<Repositories, 'iam'>; clock: () => Date; urnRegion: string }) {}

  async create<K extends IamKind, C, U>(account: Account, spec: IamKindSpec<K, C, U>, input: C): Promise<IamRecordOf<K>> {
    const now = this.deps.clock().toISOString();
    const id = spec.idOf(input);
    const fields = await spec.toDoc(input, account, this.deps.urnRegion);
    const doc = (spec.kind === 'policy' ? fields : { ...fields, uid: randomUUID() }) as IamDocs[K];
    const record: IamRecordOf<K> = { accountId: account.id, kind: spec.kind, id, doc, createdAt: now, updatedAt: now, version: 1 };
    await this.deps.store.iam.create(record);
    this.invalidate(account);
    return record;
  }

  async get<K extends IamKind>(account: Account, spec: IamKindSpec<K, unknown, unknown>, id: string): Promise<IamRecordOf<K>> {
    const record = await this.deps.store.iam.get(account.id, spec.kind, id);
    if (!record) throw new OkmsError('ERR_NOT_FOUND', `${spec.idField}: ${spec.kind} "${id}" not found`, { field: spec.idField });
    return record;
  }

  list<K extends IamKind>(account: Account, spec: IamKindSpec<K, unknown, unknown>, page: PageRequest): Promise<Page<IamRecordOf<K>>> {
    return this.deps.store.iam.list(account.id, spec.kind, page);
  }

  async update<K extends IamKind, C, U>(account: Account, spec: IamKindSpec<K, C, U>, id: string, input: U): Promise<IamRecordOf<K>> {
    const existing = await this.get(account, spec as IamKindSpec<K, unknown, unknown>, id);
    const changed = await spec.toDoc(input, account, this.deps.urnRegion, existing.doc);
    const record: IamRecordOf<K> = { ...existing, doc: this.keptFields(existing.doc, changed), updatedAt: this.deps.clock().toISOString(), version: existing.version + 1 };
    if (!(await this.deps.store.iam.replace(record, existing.version))) {
      throw new OkmsError('ERR_CONFLICT', `${spec.idField}: ${spec.kind} "${id}" changed meanwhile; read it again and retry`, { field: spec.idField });
    }
    this.invalidate(account);
    return record;
  }

  /** An update keeps the uid; a new password marks the instant before which Keystone tokens stop working (keystone-tokens.ts). */
  private keptFields<K extends IamKind>(existing: IamDocs[K], changed: EntityFields<K>): IamDocs[K] {
    const before = existing as Partial<IamDocs['user']>;
    const after = changed as Partial<IamDocs['user']>;
    const passwordChanged = after.passwordHash !== undefined && after.passwordHash !== before.passwordHash;
    const passwordChangedAt = passwordChanged ? this.deps.clock().toISOString() : before.passwordChangedAt;
    return {
      ...changed,
      ...(before.uid === undefined ? {} : { uid: before.uid }),
      ...(passwordChangedAt === undefined ? {} : { passwordChangedAt }),
    } as IamDocs[K];
  }

  async delete<K extends IamKind>(account: Account, spec: IamKindSpec<K, unknown, unknown>, id: string): Promise<void> {
    if (!(await this.deps.store.iam.delete(account.id, spec.kind, id))) {
      throw new OkmsError('ERR_NOT_FOUND', `${spec.idField}: ${spec.kind} "${id}" not found`, { field: spec.idField });
    }
    this.invalidate(account);
  }

  /**
   * The identities a certificate speaks for now: the account's root; users, service accounts and groups that
   * still exist (a deleted user stops counting on the next call); plus every group that lists one of them.
   */
  async resolveIdentities(accountId: string, certificateUrns: readonly string[], bindings?: Readonly<Record<string, string>>): Promise<ResolvedIdentities> {
    const snapshot = await this.snapshot(accountId);
    const key = bindings ? `${certificateUrns.join('\n')}\n#${certificateUrns.map((urn) => bindings[urn] ?? '').join(',')}` : certificateUrns.join('\n');
    let resolved = snapshot.resolved.get(key);
    if (!resolved) {
      resolved = this.resolve(snapshot, accountId, certificateUrns, bindings);
      snapshot.resolved.set(key, resolved);
    }
    return resolved;
  }

  /**
   * The uid of every user, group and service account among `urns`, read from the store now (not a snapshot): a
   * credential may name only identities that exist. The first that does not is a 400 naming its field.
   */
  async bindIdentities(accountId: string, urns: readonly string[], field: string): Promise<Record<string, string>> {
    const bindings: Record<string, string> = {};
    for (const [index, urn] of urns.entries()) {
      const parsed = parseIdentityUrn(urn);
      if (parsed.kind === 'account') continue;
      const kind = BOUND_KINDS[parsed.kind as keyof typeof BOUND_KINDS];
      const record = kind && (await this.deps.store.iam.get(accountId, kind, parsed.name!));
      if (!record) {
        throw new OkmsError('ERR_VALIDATION', `${field}[${index}]: no ${parsed.kind} "${parsed.name}" in account ${accountId} (create it first)`, { field: `${field}[${index}]` });
      }
      bindings[urn] = uidOf(record);
    }
    return bindings;
  }

  private resolve(snapshot: IamSnapshot, accountId: string, certificateUrns: readonly string[], bindings?: Readonly<Record<string, string>>): ResolvedIdentities {
    const { urnRegion } = this.deps;
    const effective = new Set<string>();
    const ignored: Array<{ urn: string; reason: string }> = [];
    for (const urn of certificateUrns) {
      let parsed;
      try {
        parsed = parseIdentityUrn(urn);
      } catch {
        ignored.push({ urn, reason: 'not an identity URN' });
        continue;
      }
      const bound = bindings?.[urn];
      if (parsed.account !== accountId || parsed.region !== urnRegion) ignored.push({ urn, reason: 'another account or region' });
      else if (parsed.kind === 'account') effective.add(urn);
      else if (bound !== undefined && snapshot.uids.get(urn) !== bound) {
        ignored.push({ urn, reason: snapshot.uids.has(urn) ? `the ${parsed.kind} was deleted and re-created since this credential was issued` : `no such ${parsed.kind}` });
      }
      else if (parsed.kind === 'user' && snapshot.users.has(parsed.name!)) effective.add(urn);
      else if (parsed.kind === 'credential' && snapshot.serviceAccounts.has(parsed.name!)) effective.add(urn);
      else if (parsed.kind === 'group' && snapshot.groups.has(parsed.name!)) effective.add(urn);
      else ignored.push({ urn, reason: `no such ${parsed.kind}` });
    }
    for (const urn of [...effective]) {
      for (const group of snapshot.groupsOfMember.get(urn) ?? []) effective.add(identityUrn(urnRegion, 'group', accountId, group));
    }
    return { effective: [...effective], ignored };
  }

  async decide(input: { accountId: string; identities: readonly string[]; action: string; resource: string; sourceIp?: string }): Promise<Decision> {
    const snapshot = await this.snapshot(input.accountId);
    return snapshot.index.decide({ account: input.accountId, identities: input.identities, action: input.action, resource: input.resource, now: this.deps.clock(), ...(input.sourceIp ? { sourceIp: input.sourceIp } : {}) });
  }

  private invalidate(account: Account): void {
    this.snapshots.delete(account.id);
    this.loading.delete(account.id);
  }

  private async snapshot(accountId: string): Promise<IamSnapshot> {
    const cached = this.snapshots.get(accountId);
    if (cached && this.deps.clock().getTime() - cached.readAt < SNAPSHOT_MAX_AGE_MS) return cached;
    const pending = this.loading.get(accountId);
    if (pending) return pending;
    // An invalidation while the read runs wins: the snapshot is still used by the calls waiting on it, not kept.
    const loading: Promise<IamSnapshot> = this.load(accountId).then(
      (snapshot) => {
        if (this.loading.get(accountId) === loading) {
          this.snapshots.set(accountId, snapshot);
          this.loading.delete(accountId);
        }
        return snapshot;
      },
      (error: unknown) => {
        if (this.loading.get(accountId) === loading) this.loading.delete(accountId);
        throw error;
      },
    );
    this.loading.set(accountId, loading);
    return loading;
  }

  private async load(accountId: string): Promise<IamSnapshot> {
    const now = this.deps.clock().getTime();
    const { iam } = this.deps.store;
    const [users, serviceAccounts, groups, policies] = await Promise.all([
      iam.listAll(accountId, 'user'),
      iam.listAll(accountId, 'serviceAccount'),
      iam.listAll(accountId, 'group'),
      iam.listAll(accountId, 'policy'),
    ]);
    const { urnRegion } = this.deps;
    const groupMembers = new Map(groups.map((g) => [g.id, g.doc.members]));
    const groupsOfMember = new Map<string, string[]>();
    const addMember = (member: string, group: string) => groupsOfMember.set(member, [...(groupsOfMember.get(member) ?? []), group]);
    for (const [group, members] of groupMembers) for (const member of new Set(members)) addMember(member, group);
    for (const user of users) {
      const group = user.doc.group;
      const urn = identityUrn(urnRegion, 'user', accountId, user.id);
      if (group && groupMembers.has(group) && !groupsOfMember.get(urn)?.includes(group)) addMember(urn, group);
    }
    const uids = new Map<string, string>();
    for (const [kind, records] of [['user', users], ['group', groups], ['credential', serviceAccounts]] as const) {
      for (const record of records) uids.set(identityUrn(urnRegion, kind, accountId, record.id), uidOf(record));
    }
    const snapshot: IamSnapshot = {
      readAt: now,
      uids,
      users: new Map(users.map((u) => [u.id, u])),
      serviceAccounts: new Set(serviceAccounts.map((s) => s.id)),
      groups: groupMembers,
      groupsOfMember,
      index: new PolicyIndex(policies.map(policyFromRecord), urnRegion),
      resolved: new BoundedMap(MAX_RESOLVED_PER_SNAPSHOT),
    };
    return snapshot;
  }
}
