/**
 * The data-plane action catalogue (OVH OKMS "Action IAM" names): one table that the gateway routes, the
 * policy validator and the documentation all read. `resource` says what the action is checked against:
 * the domain itself or one service key / secret inside it.
 */
export interface ActionSpec {
  readonly action: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under /api/{okmsId}, OpenAPI style. */
  readonly path: string;
  readonly resource: 'domain' | 'serviceKey' | 'secret';
  readonly summary: string;
}

export const ACTIONS: readonly ActionSpec[] = [
  { action: 'okms:apikms:serviceKey/create', method: 'POST', path: '/v1/servicekey', resource: 'domain', summary: 'Create a service key' },
  { action: 'okms:apikms:serviceKey/import', method: 'POST', path: '/v1/servicekey', resource: 'domain', summary: 'Import key material as a service key (body has keys)' },
  { action: 'okms:apikms:serviceKey/get', method: 'GET', path: '/v1/servicekey', resource: 'serviceKey', summary: 'List service keys (checked on each key listed)' },
  { action: 'okms:apikms:serviceKey/get', method: 'GET', path: '/v1/servicekey/{keyId}', resource: 'serviceKey', summary: 'Get a service key (public part as JWK)' },
  { action: 'okms:apikms:serviceKey/update', method: 'PATCH', path: '/v1/servicekey/{keyId}', resource: 'serviceKey', summary: 'Rename a service key' },
  { action: 'okms:apikms:serviceKey/delete', method: 'DELETE', path: '/v1/servicekey/{keyId}', resource: 'serviceKey', summary: 'Delete a deactivated service key' },
  { action: 'okms:apikms:serviceKey/activate', method: 'POST', path: '/v1/servicekey/{keyId}/activate', resource: 'serviceKey', summary: 'Activate a service key' },
  { action: 'okms:apikms:serviceKey/deactivate', method: 'POST', path: '/v1/servicekey/{keyId}/deactivate', resource: 'serviceKey', summary: 'Deactivate a service key' },
  { action: 'okms:apikms:serviceKey/encrypt', method: 'POST', path: '/v1/servicekey/{keyId}/encrypt', resource: 'serviceKey', summary: 'Encrypt up to 4 KiB (AES-GCM, context as AAD)' },
  { action: 'okms:apikms:serviceKey/decrypt', method: 'POST', path: '/v1/servicekey/{keyId}/decrypt', resource: 'serviceKey', summary: 'Decrypt a ciphertext of this key' },
  { action: 'okms:apikms:serviceKey/dataKey/create', method: 'POST', path: '/v1/servicekey/{keyId}/datakey', resource: 'serviceKey', summary: 'Generate a data key (plaintext + wrapped)' },
  { action: 'okms:apikms:serviceKey/dataKey/decrypt', method: 'POST', path: '/v1/servicekey/{keyId}/datakey/decrypt', resource: 'serviceKey', summary: 'Unwrap a data key' },
  { action: 'okms:apikms:serviceKey/sign', method: 'POST', path: '/v1/servicekey/{keyId}/sign', resource: 'serviceKey', summary: 'Sign a message or digest' },
  { action: 'okms:apikms:serviceKey/verify', method: 'POST', path: '/v1/servicekey/{keyId}/verify', resource: 'serviceKey', summary: 'Verify a signature' },
  { action: 'okms:apikms:random/get', method: 'GET', path: '/v1/random', resource: 'domain', summary: 'Random bytes' },
];

export const KNOWN_ACTIONS: ReadonlySet<string> = new Set(ACTIONS.map((a) => a.action));

/** An action pattern in a policy: a known action, or a prefix of the catalogue with `*` wildcards. */
export function isValidActionPattern(pattern: string): boolean {
  if (!/^[A-Za-z0-9:/*._-]{1,128}$/.test(pattern)) return false;
  if (!pattern.includes('*')) return KNOWN_ACTIONS.has(pattern) || pattern.startsWith('okms:');
  return pattern.startsWith('okms:') || pattern === '*';
}
