import type { TestOkmsd } from './harness';

/**
 * An IAM user with a password (a Keystone user) and a policy allowing every okms action on the given domains and
 * everything in them (secrets, containers, orders).
 */
export async function createBarbicanUser(t: TestOkmsd, login: string, password: string, domainIds: readonly string[], options: { account?: string; token?: string } = {}): Promise<void> {
  const account = options.account ?? 'root';
  const user = await t.api('POST', '/iam/user', { body: { login, password }, token: options.token });
  if (user.status !== 201) throw new Error(`user ${login}: ${user.status} ${user.text}`);
  const policy = await t.api('POST', '/iam/policy', {
    token: options.token,
    body: {
      name: `${login}-all`, identities: [`urn:v1:eu:identity:user:${account}/${login}`],
      resources: domainIds.flatMap((id) => [{ urn: `urn:v1:eu:resource:okms:${id}` }, { urn: `urn:v1:eu:resource:okms:${id}/*` }]),
      permissions: { allow: [{ action: 'okms:apikms:*' }] },
    },
  });
  if (policy.status !== 201) throw new Error(`policy for ${login}: ${policy.status} ${policy.text}`);
}

/** A Keystone token for `login`, scoped to a project (a domain, by id or name), as the OpenStack clients get one. */
export async function keystoneToken(t: TestOkmsd, login: string, password: string, project: { id: string } | { name: string }, userDomain = 'Default'): Promise<string> {
  const response = await fetch(`${t.okmsd.controlUrl}/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: login, domain: { name: userDomain }, password } } }, scope: { project } } }),
  });
  if (response.status !== 201) throw new Error(`login ${login}: ${response.status} ${await response.text()}`);
  return response.headers.get('x-subject-token')!;
}
