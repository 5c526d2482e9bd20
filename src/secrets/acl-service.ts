import { OkmsError } from '../domain/errors';
import type { Repositories } from '../storage/ports';
import type { ObjectRecordOf } from '../domain/records';
import { aclOf, type Acl, type BarbicanCaller } from './barbican-model';
import type { ObjectAccess } from './object-access';

export interface AclBody {
  read?: { users?: string[]; 'project-access'?: boolean };
}

/** Barbican ACLs on secrets and containers: only the `read` operation; users are IAM users of the same account. */
export class AclService {
  constructor(private readonly deps: { store: Pick<Repositories, 'iam' | 'objects'>; access: ObjectAccess; clock: () => Date }) {}

  get(caller: BarbicanCaller, kind: 'secret' | 'container', id: string): Promise<ObjectRecordOf<'secret' | 'container'>> {
    return this.deps.access.load(caller, kind, id, `okms:apikms:${kind}/acl/get`, 'write', 'ACL retrieval');
  }

  /** `replace` (PUT): the body is the whole ACL; `merge` (PATCH): only given fields change; `clear` (DELETE). */
  async set(caller: BarbicanCaller, kind: 'secret' | 'container', id: string, how: 'replace' | 'merge' | 'clear', body: AclBody = {}): Promise<void> {
    const record = await this.deps.access.load(caller, kind, id, `okms:apikms:${kind}/acl/update`, 'write', 'ACL update');
    for (const [i, user] of (body.read?.users ?? []).entries()) {
      if (!(await this.deps.store.iam.get(caller.accountId, 'user', user))) {
        throw new OkmsError('ERR_VALIDATION', `read.users[${i}]: "${user}" is not a user of this account`, { field: `read.users[${i}]` });
      }
    }
    const now = this.deps.clock().toISOString();
    const previous = aclOf(record);
    let acl: Acl | undefined;
    if (how === 'clear' || (how === 'replace' && body.read === undefined)) acl = undefined;
    else if (how === 'replace') acl = { projectAccess: body.read!['project-access'] ?? true, users: [...new Set(body.read!.users ?? [])], createdAt: now, updatedAt: now };
    else if (body.read === undefined) acl = previous;
    else {
      acl = {
        projectAccess: body.read['project-access'] ?? previous?.projectAccess ?? true,
        users: body.read.users ? [...new Set(body.read.users)] : (previous?.users ?? []),
        createdAt: previous?.createdAt ?? now,
        updatedAt: now,
      };
    }
    const { acl: _old, ...rest } = record.doc;
    const updated = { ...record, doc: acl ? { ...rest, acl } : rest, updatedAt: now, version: record.version + 1 };
    if (!(await this.deps.store.objects.replace(updated, record.version))) throw new OkmsError('ERR_CONFLICT', 'the object changed meanwhile; retry');
  }
}
