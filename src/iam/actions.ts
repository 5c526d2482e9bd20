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
  readonly resource: 'domain' | 'serviceKey' | 'secret' | 'container' | 'order';
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
  // The Secret Manager (v2), checked against the domain or `{domain URN}/secret/{path}`.
  { action: 'okms:apikms:secret/get', method: 'GET', path: '/v2/secret', resource: 'secret', summary: 'List secrets (checked on each secret listed)' },
  { action: 'okms:apikms:secret/create', method: 'POST', path: '/v2/secret', resource: 'domain', summary: 'Create a secret with its first version' },
  { action: 'okms:apikms:secret/get', method: 'GET', path: '/v2/secret/{path}', resource: 'secret', summary: "A secret's metadata and a version (its data also needs secret/version/getData)" },
  { action: 'okms:apikms:secret/version/create', method: 'PUT', path: '/v2/secret/{path}', resource: 'secret', summary: 'Add a version (with metadata: also secret/updateMetadata)' },
  { action: 'okms:apikms:secret/updateMetadata', method: 'PUT', path: '/v2/secret/{path}', resource: 'secret', summary: "Change a secret's settings" },
  { action: 'okms:apikms:secret/delete', method: 'DELETE', path: '/v2/secret/{path}', resource: 'secret', summary: 'Delete a secret and all its versions' },
  { action: 'okms:apikms:secret/get', method: 'GET', path: '/v2/secret/{path}/version', resource: 'secret', summary: "A secret's versions" },
  { action: 'okms:apikms:secret/version/create', method: 'POST', path: '/v2/secret/{path}/version', resource: 'secret', summary: 'Add a version' },
  { action: 'okms:apikms:secret/get', method: 'GET', path: '/v2/secret/{path}/version/{version}', resource: 'secret', summary: 'One version (its data also needs secret/version/getData)' },
  { action: 'okms:apikms:secret/version/activate', method: 'PUT', path: '/v2/secret/{path}/version/{version}', resource: 'secret', summary: 'Activate a version' },
  { action: 'okms:apikms:secret/version/deactivate', method: 'PUT', path: '/v2/secret/{path}/version/{version}', resource: 'secret', summary: 'Deactivate a version (its data kept)' },
  { action: 'okms:apikms:secret/version/delete', method: 'PUT', path: '/v2/secret/{path}/version/{version}', resource: 'secret', summary: "Delete a version: its data erased for good" },
  { action: 'okms:apikms:secretConfig/get', method: 'GET', path: '/v2/secretConfig', resource: 'domain', summary: "The domain's Secret Manager settings" },
  { action: 'okms:apikms:secretConfig/update', method: 'PUT', path: '/v2/secretConfig', resource: 'domain', summary: "Change the domain's Secret Manager settings" },
  // The Vault KV v2 API at the mount `secret`, over the same secrets.
  { action: 'okms:apikms:secretConfig/get', method: 'GET', path: '/v1/secret/config', resource: 'domain', summary: 'Vault: the engine settings' },
  { action: 'okms:apikms:secretConfig/update', method: 'POST', path: '/v1/secret/config', resource: 'domain', summary: 'Vault: change the engine settings' },
  { action: 'okms:apikms:secret/version/create', method: 'POST', path: '/v1/secret/data/{path}', resource: 'secret', summary: 'Vault: write a version (a new secret also needs secret/create)' },
  { action: 'okms:apikms:secret/version/create', method: 'PUT', path: '/v1/secret/data/{path}', resource: 'secret', summary: 'Vault: the same as POST' },
  { action: 'okms:apikms:secret/version/getData', method: 'GET', path: '/v1/secret/data/{path}', resource: 'secret', summary: 'Vault: read a version' },
  { action: 'okms:apikms:secret/version/create', method: 'PATCH', path: '/v1/secret/data/{path}', resource: 'secret', summary: 'Vault: merge-patch the latest version into a new one' },
  { action: 'okms:apikms:secret/version/deactivate', method: 'DELETE', path: '/v1/secret/data/{path}', resource: 'secret', summary: 'Vault: delete (deactivate) the latest version' },
  { action: 'okms:apikms:secret/subKeys/get', method: 'GET', path: '/v1/secret/subkeys/{path}', resource: 'secret', summary: "Vault: a version's keys without values" },
  { action: 'okms:apikms:secret/version/deactivate', method: 'POST', path: '/v1/secret/delete/{path}', resource: 'secret', summary: 'Vault: delete (deactivate) versions' },
  { action: 'okms:apikms:secret/version/activate', method: 'POST', path: '/v1/secret/undelete/{path}', resource: 'secret', summary: 'Vault: undelete (activate) versions' },
  { action: 'okms:apikms:secret/version/delete', method: 'PUT', path: '/v1/secret/destroy/{path}', resource: 'secret', summary: 'Vault: destroy versions (data erased)' },
  { action: 'okms:apikms:secret/version/delete', method: 'POST', path: '/v1/secret/destroy/{path}', resource: 'secret', summary: 'Vault: the same as PUT' },
  { action: 'okms:apikms:secret/get', method: 'GET', path: '/v1/secret/metadata', resource: 'domain', summary: 'Vault: list the mount (?list=true)' },
  { action: 'okms:apikms:secret/get', method: 'GET', path: '/v1/secret/metadata/{path}', resource: 'secret', summary: "Vault: a secret's metadata, or a folder's keys (?list=true)" },
  { action: 'okms:apikms:secret/updateMetadata', method: 'POST', path: '/v1/secret/metadata/{path}', resource: 'secret', summary: "Vault: set a secret's settings" },
  { action: 'okms:apikms:secret/updateMetadata', method: 'PUT', path: '/v1/secret/metadata/{path}', resource: 'secret', summary: 'Vault: the same as POST' },
  { action: 'okms:apikms:secret/updateMetadata', method: 'PATCH', path: '/v1/secret/metadata/{path}', resource: 'secret', summary: "Vault: change some of a secret's settings" },
  { action: 'okms:apikms:secret/delete', method: 'DELETE', path: '/v1/secret/metadata/{path}', resource: 'secret', summary: 'Vault: delete a secret and all its versions' },
];

/** Actions a route checks besides its own (IAM needs them in policies, explain knows them). */
export const SECONDARY_ACTIONS: readonly string[] = [
  'okms:apikms:secret/version/getData', 'okms:apikms:secret/create', 'okms:apikms:secret/updateMetadata',
  // BYOK, checked on the transport key.
  'okms:apikms:serviceKey/wrapKey', 'okms:apikms:serviceKey/unwrapKey',
];

/**
 * The Barbican API's actions (control-plane port, Keystone tokens), checked against the domain (create, list) or
 * against `{domain URN}/{secret|container|order}/{id}`. Paths are Barbican's own, under /v1.
 */
export const BARBICAN_ACTIONS: readonly ActionSpec[] = [
  { action: 'okms:apikms:secret/create', method: 'POST', path: '/v1/secrets', resource: 'domain', summary: 'Store a secret' },
  { action: 'okms:apikms:secret/list', method: 'GET', path: '/v1/secrets', resource: 'domain', summary: "List the project's secrets" },
  { action: 'okms:apikms:secret/get', method: 'GET', path: '/v1/secrets/{id}', resource: 'secret', summary: "A secret's metadata" },
  { action: 'okms:apikms:secret/get', method: 'GET', path: '/v1/secrets/{id}/metadata', resource: 'secret', summary: "A secret's user metadata" },
  { action: 'okms:apikms:secret/get', method: 'GET', path: '/v1/secrets/{id}/metadata/{key}', resource: 'secret', summary: 'One metadata key' },
  { action: 'okms:apikms:secret/payload/get', method: 'GET', path: '/v1/secrets/{id}/payload', resource: 'secret', summary: "A secret's payload" },
  { action: 'okms:apikms:secret/update', method: 'PUT', path: '/v1/secrets/{id}', resource: 'secret', summary: 'Add the payload of a metadata-only secret' },
  { action: 'okms:apikms:secret/update', method: 'PUT', path: '/v1/secrets/{id}/metadata', resource: 'secret', summary: 'Replace user metadata' },
  { action: 'okms:apikms:secret/update', method: 'POST', path: '/v1/secrets/{id}/metadata', resource: 'secret', summary: 'Add a metadata key' },
  { action: 'okms:apikms:secret/update', method: 'DELETE', path: '/v1/secrets/{id}/metadata/{key}', resource: 'secret', summary: 'Remove a metadata key' },
  { action: 'okms:apikms:secret/delete', method: 'DELETE', path: '/v1/secrets/{id}', resource: 'secret', summary: 'Delete a secret' },
  { action: 'okms:apikms:secret/acl/get', method: 'GET', path: '/v1/secrets/{id}/acl', resource: 'secret', summary: "A secret's ACL" },
  { action: 'okms:apikms:secret/acl/update', method: 'PUT', path: '/v1/secrets/{id}/acl', resource: 'secret', summary: "Replace a secret's ACL" },
  { action: 'okms:apikms:secret/acl/update', method: 'PATCH', path: '/v1/secrets/{id}/acl', resource: 'secret', summary: "Change a secret's ACL" },
  { action: 'okms:apikms:secret/acl/update', method: 'DELETE', path: '/v1/secrets/{id}/acl', resource: 'secret', summary: "Remove a secret's ACL" },
  { action: 'okms:apikms:container/create', method: 'POST', path: '/v1/containers', resource: 'domain', summary: 'Create a container' },
  { action: 'okms:apikms:container/list', method: 'GET', path: '/v1/containers', resource: 'domain', summary: "List the project's containers" },
  { action: 'okms:apikms:container/get', method: 'GET', path: '/v1/containers/{id}', resource: 'container', summary: 'Get a container' },
  { action: 'okms:apikms:container/get', method: 'GET', path: '/v1/containers/{id}/consumers', resource: 'container', summary: "A container's consumers" },
  { action: 'okms:apikms:container/delete', method: 'DELETE', path: '/v1/containers/{id}', resource: 'container', summary: 'Delete a container' },
  { action: 'okms:apikms:container/update', method: 'POST', path: '/v1/containers/{id}/rotate', resource: 'container', summary: 'Rotate secrets of a container, consumers told' },
  { action: 'okms:apikms:container/consumer/create', method: 'POST', path: '/v1/containers/{id}/consumers', resource: 'container', summary: 'Register a consumer' },
  { action: 'okms:apikms:container/consumer/delete', method: 'DELETE', path: '/v1/containers/{id}/consumers', resource: 'container', summary: 'Remove a consumer' },
  { action: 'okms:apikms:container/acl/get', method: 'GET', path: '/v1/containers/{id}/acl', resource: 'container', summary: "A container's ACL" },
  { action: 'okms:apikms:container/acl/update', method: 'PUT', path: '/v1/containers/{id}/acl', resource: 'container', summary: "Replace a container's ACL" },
  { action: 'okms:apikms:container/acl/update', method: 'PATCH', path: '/v1/containers/{id}/acl', resource: 'container', summary: "Change a container's ACL" },
  { action: 'okms:apikms:container/acl/update', method: 'DELETE', path: '/v1/containers/{id}/acl', resource: 'container', summary: "Remove a container's ACL" },
  { action: 'okms:apikms:order/create', method: 'POST', path: '/v1/orders', resource: 'domain', summary: 'Order a key, key pair or certificate' },
  { action: 'okms:apikms:order/list', method: 'GET', path: '/v1/orders', resource: 'domain', summary: "List the project's orders" },
  { action: 'okms:apikms:order/get', method: 'GET', path: '/v1/orders/{id}', resource: 'order', summary: 'Get an order' },
  { action: 'okms:apikms:order/delete', method: 'DELETE', path: '/v1/orders/{id}', resource: 'order', summary: 'Delete an order' },
  { action: 'okms:apikms:ca/get', method: 'GET', path: '/v1/cas', resource: 'domain', summary: 'List the CAs that fulfil orders' },
  { action: 'okms:apikms:ca/get', method: 'GET', path: '/v1/cas/{id}', resource: 'domain', summary: 'Get a CA' },
];

export const KNOWN_ACTIONS: ReadonlySet<string> = new Set([...[...ACTIONS, ...BARBICAN_ACTIONS].map((a) => a.action), ...SECONDARY_ACTIONS]);

/** An action pattern in a policy: a known action, or a prefix of the catalogue with `*` wildcards. */
export function isValidActionPattern(pattern: string): boolean {
  if (!/^[A-Za-z0-9:/*._-]{1,128}$/.test(pattern)) return false;
  if (!pattern.includes('*')) return KNOWN_ACTIONS.has(pattern) || pattern.startsWith('okms:');
  return pattern.startsWith('okms:') || pattern === '*';
}
