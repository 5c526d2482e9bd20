import { OkmsError } from '../domain/errors';
import type { DomainRecord } from '../domain/types';
import type { Repositories } from '../storage/ports';
import type { BarbicanCaller } from './barbican-model';
import { denied, type ObjectAccess } from './object-access';

/** Barbican's /v1/cas: the one CA that fulfils a project's certificate orders is its okmsd domain CA. */
export class CaDirectory {
  constructor(private readonly deps: { store: Pick<Repositories, 'domains'>; access: ObjectAccess }) {}

  async list(caller: BarbicanCaller): Promise<string[]> {
    const allowed = await caller.authorize('okms:apikms:ca/get', this.deps.access.projectUrn(caller.projectId));
    return allowed ? [caller.projectId] : [];
  }

  async get(caller: BarbicanCaller, id: string): Promise<DomainRecord> {
    const domain = id === caller.projectId ? await this.deps.store.domains.get(id) : undefined;
    if (!domain) throw new OkmsError('ERR_NOT_FOUND', 'Not Found. CA not found.');
    if (!(await caller.authorize('okms:apikms:ca/get', this.deps.access.projectUrn(caller.projectId)))) throw denied('CA retrieval');
    return domain;
  }
}
