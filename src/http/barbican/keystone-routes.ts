import { OkmsError } from '../../domain/errors';
import { identityUrn } from '../../domain/urn';
import type { KeystoneToken, KeystoneTokens } from '../../secrets/keystone-tokens';
import type { UndialectedRoute } from '../pipeline/route';
import { bodyValidator } from '../validation';

const validateAuth = bodyValidator('keystone-auth');
const keystoneTime = (iso: string) => iso.replace(/\.(\d{3})Z$/, '.$1000Z');

/**
 * Just enough of Keystone v3 for the OpenStack clients: discovery, password (and token) authentication scoped to a
 * project, token validation and revocation. The catalog points `key-manager` at this service's Barbican API.
 */
export function keystoneRoutes(tokens: KeystoneTokens, baseUrl: () => string, urnRegion: string): UndialectedRoute[] {
  const version = () => ({
    id: 'v3.14', status: 'stable', updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${baseUrl()}/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  });
  const tokenBody = (t: KeystoneToken) => {
    const endpoint = (type: string, name: string, url: string) => ({
      type, name, id: `okmsd-${type}`,
      endpoints: ['public', 'internal', 'admin'].map((iface) => ({ id: `okmsd-${type}-${iface}`, interface: iface, region: 'RegionOne', region_id: 'RegionOne', url })),
    });
    const accountDomain = { id: t.accountId, name: t.accountId };
    return {
      token: {
        methods: t.methods, expires_at: keystoneTime(t.expiresAt), issued_at: keystoneTime(t.issuedAt),
        user: { id: t.userId, name: t.userId, domain: accountDomain, password_expires_at: null },
        project: { id: t.projectId, name: t.projectName, domain: accountDomain },
        roles: [{ id: 'member', name: 'member' }],
        catalog: [endpoint('key-manager', 'barbican', `${baseUrl()}/v1`), endpoint('identity', 'keystone', `${baseUrl()}/v3`)],
      },
    };
  };
  return [
    { method: 'get', path: '/v3', summary: 'Keystone v3 version document (discovery)', auth: 'none', async handle() {
      return { status: 200, body: { version: version() } };
    } },
    { method: 'post', path: '/v3/auth/tokens', summary: 'Keystone password (or token) authentication scoped to a project (an okmsd domain)', auth: 'none', consumes: ['application/json'], schemas: { body: 'keystone-auth' }, async handle({ req }) {
      const { identity, scope } = validateAuth(req.body).auth;
      let accountId: string;
      let userId: string;
      let userUid: string | undefined;
      let notAfter: string | undefined;
      if (identity.methods.includes('password') && identity.password) {
        const user = identity.password.user;
        const login = user.name ?? user.id;
        if (!login) throw new OkmsError('ERR_VALIDATION', 'auth.identity.password.user: a name or an id is required', { field: 'auth.identity.password.user' });
        accountId = tokens.accountOfDomain(user.domain);
        userUid = await tokens.authenticatePassword(accountId, login, user.password, req.remoteAddress);
        userId = login;
      } else if (identity.methods.includes('token') && identity.token) {
        const previous = await tokens.validate(identity.token.id);
        accountId = previous.accountId;
        userId = previous.userId;
        userUid = previous.userUid;
        notAfter = previous.expiresAt;
      } else {
        throw new OkmsError('ERR_VALIDATION', 'auth.identity: the method named in "methods" needs its section (password or token)', { field: 'auth.identity' });
      }
      const project = await tokens.resolveProject(accountId, scope?.project);
      const { token, record } = await tokens.issue(accountId, userId, userUid, project, identity.methods, notAfter);
      return { status: 201, body: tokenBody(record), headers: { 'X-Subject-Token': token }, audit: { identityURNs: [identityUrn(urnRegion, 'user', accountId, userId)] } };
    } },
    { method: 'get', path: '/v3/auth/tokens', summary: 'Validate the token in X-Subject-Token (X-Auth-Token authenticates)', auth: 'none', async handle({ req }) {
      await tokens.validate(req.get('x-auth-token'));
      const subject = req.get('x-subject-token');
      const record = await tokens.validate(subject).catch(() => {
        throw new OkmsError('ERR_NOT_FOUND', 'The token in X-Subject-Token is unknown, expired or revoked.');
      });
      return { status: 200, body: tokenBody(record), headers: { 'X-Subject-Token': subject! } };
    } },
    { method: 'delete', path: '/v3/auth/tokens', summary: 'Revoke the token in X-Subject-Token', auth: 'none', async handle({ req }) {
      await tokens.validate(req.get('x-auth-token'));
      const subject = req.get('x-subject-token') ?? '';
      if (!(await tokens.revoke(subject))) throw new OkmsError('ERR_NOT_FOUND', 'The token in X-Subject-Token is unknown, expired or revoked.');
      return { status: 204 };
    } },
  ];
}
