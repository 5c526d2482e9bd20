import { OkmsError } from '../domain/errors';
import { okmsResourceUrn } from '../domain/urn';
import type { Repositories } from '../storage/ports';
import type { ObjectKind, ObjectRecordOf } from '../domain/records';
import { aclOf, type BarbicanCaller } from './barbican-model';

const LABEL: Record<ObjectKind, string> = { secret: 'Secret', container: 'Secrets container', order: 'Order', keystoneToken: 'Token' };

export type AccessMode = 'read' | 'write';

/**
 * Who may touch a Barbican object. Its own project (okmsd domain) works under IAM; a read ACL (Barbican's
 * `read.users`, `read.project-access`) narrows reads inside the project and grants reads to users of other
 * projects of the same account — IAM must still allow the action for them. Another account's object is
 * indistinguishable from a missing one.
 */
export class ObjectAccess {
  constructor(private readonly deps: { store: Pick<Repositories, 'domains' | 'objects'>; urnRegion: string; clock: () => Date }) {}

  /** The project's (domain's) URN: what creating and listing are checked against. */
  projectUrn(domainId: string): string {
    return okmsResourceUrn(this.deps.urnRegion, domainId);
  }

  /** `{domain URN}/{kind}/{id}`: what an action on one object is checked against. */
  objectUrn(kind: ObjectKind, domainId: string, id: string): string {
    return `${this.projectUrn(domainId)}/${kind}/${id}`;
  }

  /** For creating and listing in the caller's own project. */
  async authorizeInProject(caller: BarbicanCaller, action: string, operation: string): Promise<void> {
    if (!(await caller.authorize(action, this.projectUrn(caller.projectId)))) throw denied(operation);
  }

  async load<K extends 'secret' | 'container' | 'order'>(caller: BarbicanCaller, kind: K, id: string, action: string, mode: AccessMode, operation: string): Promise<ObjectRecordOf<K>> {
    const record = await this.deps.store.objects.get(kind, id.toLowerCase());
    const live = record && (record.kind !== 'secret' || record.expiresAt === null || record.expiresAt > this.deps.clock().toISOString());
    const domain = live ? await this.deps.store.domains.get(record.domainId) : undefined;
    if (!record || !domain || domain.accountId !== caller.accountId) throw new OkmsError('ERR_NOT_FOUND', `${LABEL[kind]} not found.`, { field: `${kind}_id` });
    const acl = aclOf(record);
    const listed = acl?.users.includes(caller.userId) ?? false;
    if (record.domainId === caller.projectId) {
      const creator = record.doc.creatorId === caller.userId;
      if (mode === 'read' && acl && !acl.projectAccess && !creator && !listed) throw denied(operation);
    } else if (mode !== 'read' || !listed) {
      throw denied(operation);
    }
    if (!(await caller.authorize(action, this.objectUrn(kind, record.domainId, record.id)))) throw denied(operation);
    return record;
  }
}

export function denied(operation: string): OkmsError {
  return new OkmsError('ERR_FORBIDDEN', `${operation} attempt not allowed - please review your user/project privileges`);
}
