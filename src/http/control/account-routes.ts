import { OkmsError } from '../../domain/errors';
import { identityUrn } from '../../domain/urn';
import { newApiToken } from '../../iam/admin-tokens';
import type { UndialectedRoute } from '../pipeline/route';
import { bodyValidator } from '../validation';
import type { ControlPlaneServices } from './services';

const validateCreate = bodyValidator<{ id: string; description?: string }>('account-create');

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
        };
      },
    },
  ];
}
