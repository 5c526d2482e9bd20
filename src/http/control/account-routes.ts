import { OkmsError } from '../../domain/errors';
import { identityUrn } from '../../domain/urn';
import { newApiToken } from '../../iam/admin-tokens';
import type { ApiTokenRecord } from '../../domain/types';
import type { UndialectedRoute } from '../pipeline/route';
import { bodyValidator } from '../validation';
import type { ControlPlaneServices } from './services';

const validateCreate = bodyValidator('account-create');
const validateTokenCreate = bodyValidator('admin-token-create');
const TOKEN_ID = /^(?:[0-9a-f]{16}|config-root)$/;

/** An admin token as listed: never its secret, nor its hash. */
const tokenView = (t: ApiTokenRecord, currentId: string) => ({ id: t.id, description: t.description, createdAt: t.createdAt, expiresAt: t.expiresAt ?? null, current: t.id === currentId });

export function accountRoutes(s: ControlPlaneServices): UndialectedRoute[] {
  return [
    {
      method: 'get',
      path: '/me',
      summary: "The admin token's account",
      auth: 'admin',
      async handle({ account }) {
        return { status: 200, body: { account: account.id, urn: identityUrn(s.urnRegion, 'account', account.id), isRoot: account.isRoot } };
      },
    },
    {
      method: 'post',
      path: '/account',
      summary: 'Create an account and its first admin token (root account only; the token is shown once)',
      auth: 'admin',
      consumes: ['application/json'],
      schemas: { body: 'account-create' },
      async handle({ req, account }) {
        if (!account.isRoot) throw new OkmsError('ERR_FORBIDDEN', 'only the root account may create accounts');
        const input = validateCreate(req.body);
        const now = s.clock();
        await s.store.accounts.create({ id: input.id, description: input.description ?? '', isRoot: false, createdAt: now.toISOString() });
        const issued = newApiToken(input.id, 'first token', now);
        await s.store.apiTokens.create(issued.record);
        return {
          status: 201,
          body: { account: input.id, urn: identityUrn(s.urnRegion, 'account', input.id), token: issued.token },
          audit: { objectId: input.id },
        };
      },
    },
    {
      method: 'post',
      path: '/token',
      summary: "Create an admin token for the caller's account, with an optional expiry (the token is shown once)",
      auth: 'admin',
      consumes: ['application/json'],
      schemas: { body: 'admin-token-create' },
      async handle({ req, account }) {
        const input = validateTokenCreate(req.body);
        const now = s.clock();
        const expiresAt = input.expiresInSeconds === undefined ? null : new Date(now.getTime() + input.expiresInSeconds * 1000).toISOString();
        const issued = newApiToken(account.id, input.description ?? '', now, expiresAt);
        await s.store.apiTokens.create(issued.record);
        return { status: 201, body: { ...tokenView(issued.record, ''), current: undefined, token: issued.token }, audit: { objectId: issued.record.id } };
      },
    },
    {
      method: 'get',
      path: '/token',
      summary: "The caller's account's admin tokens (ids, descriptions, expiries; never a secret)",
      auth: 'admin',
      async handle({ account, caller }) {
        return { status: 200, body: (await s.store.apiTokens.listForAccount(account.id)).filter((t) => !t.dataPlane).map((t) => tokenView(t, caller.tokenId)) };
      },
    },
    {
      method: 'delete',
      path: '/token/{tokenId}',
      summary: "Revoke one of the account's admin tokens: refused from the next call on, on every node",
      auth: 'admin',
      async handle({ account, params }) {
        const id = params.tokenId ?? '';
        const token = TOKEN_ID.test(id) ? await s.store.apiTokens.get(id) : undefined;
        if (!token || token.accountId !== account.id || token.dataPlane) throw new OkmsError('ERR_NOT_FOUND', `tokenId: no admin token "${id.slice(0, 64)}" in this account`, { field: 'tokenId' });
        await s.store.apiTokens.delete(id);
        return { status: 204, audit: { objectId: id } };
      },
    },
  ];
}
