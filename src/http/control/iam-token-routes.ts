import { OkmsError } from '../../domain/errors';
import type { ApiTokenRecord, DataPlaneTokenSubject } from '../../domain/types';
import { identityUrn } from '../../domain/urn';
import { newDataPlaneToken } from '../../iam/data-plane-tokens';
import type { UndialectedRoute } from '../pipeline/route';
import { bodyValidator } from '../validation';
import type { ControlPlaneServices } from './services';

const validateCreate = bodyValidator('data-token-create');
const TOKEN_ID = /^[0-9a-f]{16}$/;
/** A user or service account holds a handful of tokens: a bound keeps the list (read in full) small. */
export const MAX_TOKENS_PER_IDENTITY = 20;

const tokenView = (t: ApiTokenRecord) => ({ id: t.id, description: t.description, createdAt: t.createdAt, expiresAt: t.expiresAt ?? null, identityURN: t.dataPlane?.identityURN });

/**
 * Personal access tokens of IAM users and service accounts (OKMS's token authentication): created by an admin for
 * one identity, shown once, listed without secrets, revoked at once. The token speaks on the data plane for that
 * identity, through IAM exactly as a certificate naming it would.
 */
export function iamTokenRoutes(s: ControlPlaneServices): UndialectedRoute[] {
  const kinds = [
    { base: '/iam/user/{login}/token', param: 'login', kind: 'user' as const, urnKind: 'user' as const },
    { base: '/iam/serviceAccount/{id}/token', param: 'id', kind: 'serviceAccount' as const, urnKind: 'credential' as const },
  ];
  return kinds.flatMap(({ base, param, kind, urnKind }): UndialectedRoute[] => {
    const subjectOf = async (accountId: string, params: Readonly<Record<string, string>>): Promise<Omit<DataPlaneTokenSubject, 'identityBindings'> & { bindings: Record<string, string> }> => {
      const name = params[param] ?? '';
      const urn = identityUrn(s.urnRegion, urnKind, accountId, name);
      // The identity must exist now, and the token is bound to its uid: a deleted and re-created one does not inherit it.
      const bindings = await s.iam.bindIdentities(accountId, [urn], param).catch(() => {
        throw new OkmsError('ERR_NOT_FOUND', `${param}: no ${kind} "${name.slice(0, 64)}" in this account`, { field: param });
      });
      return { kind, name, identityURN: urn, bindings };
    };
    const tokensOf = async (accountId: string, urn: string) => (await s.store.apiTokens.listForAccount(accountId)).filter((t) => t.dataPlane?.identityURN === urn);
    return [
      {
        method: 'post', path: base, summary: `Create a personal access token for a ${kind} (data plane: Authorization: Bearer or X-Vault-Token; shown once)`, auth: 'admin',
        consumes: ['application/json'], bodyOptional: true, schemas: { body: 'data-token-create' },
        async handle({ req, account, params }) {
          const input = req.body === undefined ? {} : validateCreate(req.body);
          const subject = await subjectOf(account.id, params);
          if ((await tokensOf(account.id, subject.identityURN)).length >= MAX_TOKENS_PER_IDENTITY) {
            throw new OkmsError('ERR_CONFLICT', `${param}: the ${kind} holds ${MAX_TOKENS_PER_IDENTITY} tokens already; revoke one first`, { field: param });
          }
          const now = s.clock();
          const expiresAt = input.expiresInSeconds === undefined ? null : new Date(now.getTime() + input.expiresInSeconds * 1000).toISOString();
          const issued = newDataPlaneToken(account.id, { kind, name: subject.name, identityURN: subject.identityURN, identityBindings: subject.bindings }, input.description ?? '', now, expiresAt);
          await s.store.apiTokens.create(issued.record);
          return { status: 201, body: { ...tokenView(issued.record), token: issued.token }, audit: { objectId: issued.record.id, identityURNs: [subject.identityURN] } };
        },
      },
      {
        method: 'get', path: base, summary: `The ${kind}'s personal access tokens (ids, descriptions, expiries; never a secret)`, auth: 'admin',
        async handle({ account, params }) {
          const subject = await subjectOf(account.id, params);
          return { status: 200, body: (await tokensOf(account.id, subject.identityURN)).map(tokenView) };
        },
      },
      {
        method: 'delete', path: `${base}/{tokenId}`, summary: `Revoke one of the ${kind}'s personal access tokens: refused from the next call on, on every node`, auth: 'admin',
        async handle({ account, params }) {
          const id = params.tokenId ?? '';
          const urn = identityUrn(s.urnRegion, urnKind, account.id, params[param] ?? '');
          const token = TOKEN_ID.test(id) ? await s.store.apiTokens.get(id) : undefined;
          if (!token || token.accountId !== account.id || token.dataPlane?.identityURN !== urn) {
            throw new OkmsError('ERR_NOT_FOUND', `tokenId: no token "${id.slice(0, 64)}" of this ${kind}`, { field: 'tokenId' });
          }
          await s.store.apiTokens.delete(id);
          return { status: 204, audit: { objectId: id, identityURNs: [urn] } };
        },
      },
    ];
  });
}
