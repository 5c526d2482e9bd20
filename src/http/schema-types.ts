// Generated from schemas/ by tools/schema-types/generate.ts (npm run gen:schema-types). Do not edit.
/* eslint-disable */

/** schemas/account-create.json */
/**
 * Create an account (root account only); the response carries its first admin token, once.
 */
export interface AccountCreate {
  /**
   * Account id, as it appears in URNs (e.g. xx1111-ovh).
   */
  id: string;
  description?: string;
}

/** schemas/admin-token-create.json */
/**
 * Create an admin token for the caller's account; the response carries the token, once. It is stored only as a hash.
 */
export interface AdminTokenCreate {
  description?: string;
  /**
   * Lifetime in seconds (60 s to 10 years); no expiry when absent.
   */
  expiresInSeconds?: number;
}

/** schemas/audit-prune.json */
/**
 * Remove the audit records made before `before` (never the newest), leaving a signed checkpoint from which the rest still verifies.
 */
export interface AuditPrune {
  before: string;
}

/** schemas/barbican-acl.json */
export interface BarbicanAcl {
  read?: {
    /**
     * @maxItems 100
     */
    users?: string[];
    "project-access"?: boolean;
  };
}

/** schemas/barbican-consumer.json */
export interface BarbicanConsumer {
  name: string;
  URL: string;
}

/** schemas/barbican-container-create.json */
export interface BarbicanContainerCreate {
  name?: string | null;
  type: "generic" | "rsa" | "certificate";
  /**
   * @maxItems 50
   */
  secret_refs?: {
    name?: string | null;
    secret_ref: string;
  }[];
}

/** schemas/barbican-container-rotate.json */
export interface BarbicanContainerRotate {
  /**
   * @minItems 1
   * @maxItems 50
   */
  secret_refs: [
    {
      name?: string | null;
      secret_ref: string;
    },
    ...{
      name?: string | null;
      secret_ref: string;
    }[]
  ];
}

/** schemas/barbican-list-query.json */
export interface BarbicanListQuery {
  /**
   * 0 or over 100: clamped to 10 and 100
   */
  limit?: number;
  offset?: number;
  name?: string;
  secret_type?: "symmetric" | "public" | "private" | "passphrase" | "certificate" | "opaque";
  type?: string;
  force?: "true" | "false";
}

/** schemas/barbican-metadata.json */
export interface BarbicanMetadata {
  metadata: {
    [k: string]: string;
  };
}

/** schemas/barbican-metadatum.json */
export interface BarbicanMetadatum {
  key: string;
  value: string;
}

/** schemas/barbican-order-create.json */
export interface BarbicanOrderCreate {
  type: "key" | "asymmetric" | "certificate";
  meta: {
    name?: string | null;
    algorithm?: string | null;
    bit_length?: number | null;
    mode?: string | null;
    expiration?: string | null;
    payload_content_type?: string | null;
    payload?: string | null;
    pass_phrase?: string | null;
    passphrase?: string | null;
    request_type?: string | null;
    subject_dn?: string | null;
    container_ref?: string | null;
    source_container_ref?: string | null;
    ca_id?: string | null;
    profile?: string | null;
    request_data?: string | null;
    requestor_name?: string | null;
    requestor_email?: string | null;
    requestor_phone?: string | null;
    extensions?: string | null;
    validity?: number | null;
  };
}

/** schemas/barbican-secret-create.json */
export interface BarbicanSecretCreate {
  name?: string | null;
  secret_type?: "symmetric" | "public" | "private" | "passphrase" | "certificate" | "opaque";
  algorithm?: string | null;
  bit_length?: number | null;
  mode?: string | null;
  expiration?: string | null;
  payload?: string | null;
  payload_content_type?: string | null;
  payload_content_encoding?: string | null;
  transport_key_needed?: "true" | "false" | true | false | null;
  transport_key_id?: string | null;
}

/** schemas/ca-switch.json */
/**
 * Switch a domain to its staged successor CA.
 */
export interface CaSwitch {
  /**
   * How long the old CA stays trusted (default 30 days; 0 retires it at once)
   */
  overlapSeconds?: number;
}

/** schemas/certificate-verify.json */
export type CertificateVerify = {
  [k: string]: unknown;
} & {
  /**
   * PEM (a bundle's first certificate is checked)
   */
  certificate?: string;
  /**
   * PEM private key to match (never stored or logged)
   */
  privateKey?: string;
  passphrase?: string;
  /**
   * Intermediates and/or root, PEM bundle
   */
  chain?: string;
  /**
   * Require the chain to end at this domain's CA
   */
  okmsId?: string;
  /**
   * A Barbican certificate container of the account: its certificate, private_key and intermediates
   */
  containerRef?: string;
};

/** schemas/credential-create-query.json */
/**
 * Fields of a credential creation whose body is the raw CSR (Content-Type application/pkcs10 or application/x-pem-file).
 */
export interface CredentialCreateQuery {
  name: string;
  description?: string;
  /**
   * urn:v1:{region}:identity:{account|user|group|credential}:{accountId}[/{name}]
   *
   * @minItems 1
   * @maxItems 25
   *
   * Items: urn:v1:{region}:identity:account:{account}, or urn:v1:{region}:identity:{user|group|credential}:{account}/{name}
   */
  identityURNs: [string, ...string[]];
  /**
   * ECDSA (P-256) by default; with a CSR, the CSR's key type.
   */
  certificateType?: "ECDSA" | "RSA";
  /**
   * Days.
   */
  validity?: number;
}

/** schemas/credential-create.json */
/**
 * Create an access credential (an mTLS client certificate). Without csr the server generates the key pair and returns privateKeyPEM once.
 */
export interface CredentialCreate {
  name: string;
  description?: string;
  /**
   * urn:v1:{region}:identity:{account|user|group|credential}:{accountId}[/{name}]
   *
   * @minItems 1
   * @maxItems 25
   *
   * Items: urn:v1:{region}:identity:account:{account}, or urn:v1:{region}:identity:{user|group|credential}:{account}/{name}
   */
  identityURNs: [string, ...string[]];
  /**
   * ECDSA (P-256) by default; with a CSR, the CSR's key type.
   */
  certificateType?: "ECDSA" | "RSA";
  /**
   * Days.
   */
  validity?: number;
  /**
   * PKCS#10 request: PEM (escaped newlines, CRLF and one-line forms are accepted) or base64 DER.
   */
  csr?: string;
}

/** schemas/credential-renew.json */
export interface CredentialRenew {
  /**
   * A new CSR: required for a credential issued from a CSR
   */
  csr?: string;
  /**
   * Days (default 365)
   */
  validity?: number;
  /**
   * How long the old credential stays valid beside its successor (0: revoked at once)
   */
  overlapSeconds?: number;
}

/** schemas/data-token-create.json */
/**
 * Create a personal access token for an IAM user or service account: it authenticates data-plane calls (Authorization: Bearer, X-Vault-Token) as that identity. The response carries the token, once; it is stored only as a hash.
 */
export interface DataTokenCreate {
  description?: string;
  /**
   * Lifetime in seconds (60 s to 10 years); no expiry when absent, as OKMS personal access tokens.
   */
  expiresInSeconds?: number;
}

/** schemas/datakey-decrypt.json */
export interface DatakeyDecrypt {
  key: string;
}

/** schemas/datakey.json */
export interface Datakey {
  size: number;
  name?: string | null;
}

/** schemas/decrypt.json */
export interface Decrypt {
  /**
   * a ciphertext encrypt made: at most 5700 characters, the longest that a 4,096-byte plaintext gives (test/unit/jwe.test.ts)
   */
  ciphertext: string;
  context?: string | null;
}

/** schemas/domain-create.json */
/**
 * Create an okms domain (OKMS resource) and its issuing CA.
 */
export interface DomainCreate {
  /**
   * Display name.
   */
  name: string;
  /**
   * Deployment region label, e.g. eu-west-rbx (distinct from the URN region).
   */
  region?: string;
  /**
   * Curve of the domain's issuing CA key.
   */
  caKeyAlgorithm?: "P-256" | "P-384";
}

/** schemas/encrypt.json */
export interface Encrypt {
  plaintext: string;
  context?: string | null;
}

/** schemas/iam-explain.json */
/**
 * Would this credential (or certificate) be allowed this action on this resource, and why? Give exactly one of credentialId and certificatePEM.
 */
export type IamExplain = {
  okmsId: string;
  credentialId?: string;
  certificatePEM?: string;
  action: string;
  /**
   * Defaults to the domain's URN.
   */
  resource?: string;
  sourceIp?: string;
} & {
  [k: string]: unknown;
};

/** schemas/iam-group-create.json */
/**
 * An IAM group; its URN is urn:v1:{region}:identity:group:{account}/{name}. Members are user and service-account URNs of the account.
 */
export interface IamGroupCreate {
  name: string;
  description?: string;
  /**
   * @maxItems 1000
   *
   * Items: urn:v1:{region}:identity:account:{account}, or urn:v1:{region}:identity:{user|group|credential}:{account}/{name}
   */
  members?: string[];
}

/** schemas/iam-group-update.json */
export interface IamGroupUpdate {
  description?: string;
  /**
   * @maxItems 1000
   *
   * Items: urn:v1:{region}:identity:account:{account}, or urn:v1:{region}:identity:{user|group|credential}:{account}/{name}
   */
  members?: string[];
}

/** schemas/iam-policy.json */
/**
 * An IAM policy in the OVH IAM v2 shape. Default deny; allow minus except; any matching deny wins.
 */
export interface IamPolicy {
  name: string;
  description?: string;
  /**
   * @minItems 1
   * @maxItems 100
   *
   * Items: urn:v1:{region}:identity:account:{account}, or urn:v1:{region}:identity:{user|group|credential}:{account}/{name}
   */
  identities: [string, ...string[]];
  /**
   * @minItems 1
   * @maxItems 100
   */
  resources: [
    {
      urn: string;
    },
    ...{
      urn: string;
    }[]
  ];
  permissions: {
    /**
     * @maxItems 100
     */
    allow?: {
      action: string;
    }[];
    /**
     * @maxItems 100
     */
    except?: {
      action: string;
    }[];
    /**
     * @maxItems 100
     */
    deny?: {
      action: string;
    }[];
  };
  conditions?: {
    notBefore?: string;
    notAfter?: string;
    /**
     * @maxItems 100
     */
    sourceIps?: string[];
  };
}

/** schemas/iam-service-account-create.json */
/**
 * A service account; its URN is urn:v1:{region}:identity:credential:{account}/{id}.
 */
export interface IamServiceAccountCreate {
  /**
   * Chosen id; generated when absent.
   */
  id?: string;
  name?: string;
  description?: string;
}

/** schemas/iam-service-account-update.json */
export interface IamServiceAccountUpdate {
  name?: string;
  description?: string;
}

/** schemas/iam-user-create.json */
/**
 * A local IAM user; its identity URN is urn:v1:{region}:identity:user:{account}/{login}.
 */
export interface IamUserCreate {
  login: string;
  email?: string;
  description?: string;
  /**
   * An IAM group of the account the user belongs to.
   */
  group?: string;
  /**
   * For later token logins; stored as a scrypt hash, never returned.
   */
  password?: string;
}

/** schemas/iam-user-update.json */
export interface IamUserUpdate {
  email?: string;
  description?: string;
  /**
   * An IAM group of the account the user belongs to.
   */
  group?: string;
  /**
   * For later token logins; stored as a scrypt hash, never returned.
   */
  password?: string;
}

/** schemas/identity-urn.json */
/**
 * urn:v1:{region}:identity:account:{account}, or urn:v1:{region}:identity:{user|group|credential}:{account}/{name}
 */
export type IdentityUrn = string;

/** schemas/keystone-auth.json */
export interface KeystoneAuth {
  auth: {
    identity: {
      methods?: unknown[];
    } & {
      /**
       * @minItems 1
       */
      methods: ["password" | "token", ...("password" | "token")[]];
      password?: {
        user: {
          [k: string]: unknown;
        } & {
          id?: string;
          name?: string;
          password: string;
          domain?: {
            id?: string;
            name?: string;
          };
        };
      };
      token?: {
        id: string;
      };
    };
    scope: {
      project: {
        [k: string]: unknown;
      } & {
        id?: string;
        name?: string;
        domain?: {
          id?: string;
          name?: string;
        };
      };
    };
  };
}

/** schemas/list-query.json */
/**
 * Keyset pagination; the X-Pagination-Cursor and X-Pagination-Size headers are accepted as well.
 */
export interface ListQuery {
  cursor?: string;
  /**
   * 1 to 1000
   */
  limit?: string;
}

/** schemas/name-policy.json */
/**
 * Which names the domain's TLS server certificates (Barbican certificate orders) may carry. Setting it makes the domain's server CA, constrained to it.
 */
export interface NamePolicy {
  /**
   * DNS names; a name is allowed when it is one (allowBareDomains) or lies below one (allowSubdomains)
   *
   * @maxItems 100
   */
  allowedDomains?: string[];
  /**
   * The allowed domains themselves (default true)
   */
  allowBareDomains?: boolean;
  /**
   * Names below the allowed domains (default true)
   */
  allowSubdomains?: boolean;
  /**
   * Wildcard names such as *.example.com (default false)
   */
  allowWildcards?: boolean;
  /**
   * CIDRs whose addresses may be a certificate's IP SAN (default none)
   *
   * @maxItems 50
   */
  allowedIpRanges?: string[];
}

/** schemas/secret-config.json */
/**
 * The domain's Secret Manager settings.
 */
export interface SecretConfig {
  casRequired?: boolean | null;
  deactivateVersionAfter?: string | null;
  maxVersions?: number | null;
}

/** schemas/secret-v2-create.json */
/**
 * Create a Secret Manager secret with its first version.
 */
export interface SecretV2Create {
  path: string;
  metadata?: {
    casRequired?: boolean | null;
    customMetadata?: {
      [k: string]: string;
    } | null;
    deactivateVersionAfter?: string | null;
    maxVersions?: number | null;
  };
  version: {
    /**
     * the secret's data: a JSON object of at most 64 KB
     */
    data: {};
  };
}

/** schemas/secret-v2-update.json */
/**
 * Change a secret's settings, add a version, or both.
 */
export interface SecretV2Update {
  metadata?: {
    casRequired?: boolean | null;
    customMetadata?: {
      [k: string]: string;
    } | null;
    deactivateVersionAfter?: string | null;
    maxVersions?: number | null;
  };
  version?: {
    /**
     * the secret's data: a JSON object of at most 64 KB
     */
    data: {};
  };
}

/** schemas/secret-v2-version-create.json */
/**
 * Add a version to a secret.
 */
export interface SecretV2VersionCreate {
  /**
   * the secret's data: a JSON object of at most 64 KB
   */
  data: {};
}

/** schemas/secret-v2-version-state.json */
/**
 * Change a version's state: deleted erases its data for good.
 */
export interface SecretV2VersionState {
  state: "active" | "deactivated" | "deleted";
}

/** schemas/server-certificate-revoke.json */
/**
 * Revoke a TLS server certificate the domain's server CA issued (a Barbican certificate order's).
 */
export interface ServerCertificateRevoke {
  /**
   * RFC 5280 CRLReason written into the CRL and OCSP answers (default cessationOfOperation)
   */
  reason?: "keyCompromise" | "affiliationChanged" | "superseded" | "cessationOfOperation" | "privilegeWithdrawn";
}

/** schemas/servicekey-create.json */
/**
 * OKMS service key creation; with `keys` (JWK) an import, with `wrappedKeys` a wrapped import (BYOK, OKMS 2.17.0). okms-cli 0.4.4+ always sends `extractable`.
 */
export interface ServicekeyCreate {
  id?: string | null;
  name: string;
  context?: string | null;
  type?: "oct" | "RSA" | "EC";
  size?: 128 | 192 | 256 | 2048 | 3072 | 4096 | null;
  curve?: "P-256" | "P-384" | "P-521" | null;
  /**
   * @maxItems 32
   */
  operations?: ("sign" | "verify" | "encrypt" | "decrypt" | "wrapKey" | "unwrapKey")[] | null;
  protectionLevel?: "SOFTWARE" | "HSM" | "MANAGED_HSM" | null;
  extractable?: boolean | null;
  /**
   * @minItems 1
   * @maxItems 1
   */
  keys?: [{}] | null;
  /**
   * BYOK: key material wrapped under an RSA transport key of the domain (unwrapKey), as a JWE
   *
   * @minItems 1
   * @maxItems 1
   */
  wrappedKeys?:
    | [
        {
          keyFormatType: "RAW" | "JWK" | "PKCS1" | "PKCS8";
          wrappingKeyId: string;
          ciphertext: string;
        }
      ]
    | null;
}

/** schemas/servicekey-deactivate.json */
export interface ServicekeyDeactivate {
  reason:
    | "unspecified"
    | "key_compromise"
    | "ca_compromise"
    | "affiliation_changed"
    | "superseded"
    | "cessation_of_operation"
    | "privilege_withdrawn";
}

/** schemas/servicekey-export-query.json */
/**
 * GET one service key; with wrappingKeyId, a wrapped export (BYOK) of its material.
 */
export interface ServicekeyExportQuery {
  format?: "jwk";
  wrappingKeyId?: string;
  wrappedKeyFormat?: "RAW" | "JWK" | "PKCS1" | "PKCS8";
  wrappingAlgorithm?: "RSA-OAEP" | "RSA-OAEP-256";
}

/** schemas/servicekey-patch.json */
/**
 * Rename a service key, make it extractable (for good: it is then never again never-extractable), or both.
 */
export interface ServicekeyPatch {
  name?: string;
  extractable?: boolean | null;
}

/** schemas/servicekey-wrapped-key.json */
/**
 * Wrapped key material (BYOK): its format before wrapping, the transport key, the JWE.
 */
export interface ServicekeyWrappedKey {
  keyFormatType: "RAW" | "JWK" | "PKCS1" | "PKCS8";
  wrappingKeyId: string;
  ciphertext: string;
}

/** schemas/sign.json */
export interface Sign {
  message: string;
  alg: "ES256" | "ES384" | "ES512" | "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512";
  isdigest?: boolean | null;
}

/** schemas/uuid-param.json */
export type UuidParam = string;

/** schemas/vault-kv-config.json */
/**
 * Vault KV v2 engine settings.
 */
export interface VaultKvConfig {
  max_versions?: number;
  cas_required?: boolean;
  delete_version_after?: string;
}

/** schemas/vault-kv-metadata.json */
/**
 * Vault KV v2 metadata write (snake_case, as Vault).
 */
export interface VaultKvMetadata {
  max_versions?: number;
  cas_required?: boolean;
  delete_version_after?: string;
  custom_metadata?: {
    [k: string]: string;
  } | null;
}

/** schemas/vault-kv-versions.json */
/**
 * Vault KV v2 delete/undelete/destroy: the versions.
 */
export interface VaultKvVersions {
  /**
   * @minItems 1
   * @maxItems 1000
   */
  versions: [number, ...number[]];
}

/** schemas/vault-kv-write.json */
/**
 * Vault KV v2 data write: {data, options: {cas}}.
 */
export interface VaultKvWrite {
  /**
   * the secret's data: a JSON object of at most 64 KB
   */
  data: {};
  options?: {
    cas?: number;
  } | null;
}

/** schemas/verify.json */
export interface Verify {
  signature: string;
  /**
   * May be omitted when the signature is a JWS/JWT carrying its payload.
   */
  message?: string | null;
  alg: "ES256" | "ES384" | "ES512" | "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512";
  isdigest?: boolean | null;
}

/** Each schema id and the type of what it accepts. */
export interface SchemaTypes {
  'account-create': AccountCreate;
  'admin-token-create': AdminTokenCreate;
  'audit-prune': AuditPrune;
  'barbican-acl': BarbicanAcl;
  'barbican-consumer': BarbicanConsumer;
  'barbican-container-create': BarbicanContainerCreate;
  'barbican-container-rotate': BarbicanContainerRotate;
  'barbican-list-query': BarbicanListQuery;
  'barbican-metadata': BarbicanMetadata;
  'barbican-metadatum': BarbicanMetadatum;
  'barbican-order-create': BarbicanOrderCreate;
  'barbican-secret-create': BarbicanSecretCreate;
  'ca-switch': CaSwitch;
  'certificate-verify': CertificateVerify;
  'credential-create-query': CredentialCreateQuery;
  'credential-create': CredentialCreate;
  'credential-renew': CredentialRenew;
  'data-token-create': DataTokenCreate;
  'datakey-decrypt': DatakeyDecrypt;
  'datakey': Datakey;
  'decrypt': Decrypt;
  'domain-create': DomainCreate;
  'encrypt': Encrypt;
  'iam-explain': IamExplain;
  'iam-group-create': IamGroupCreate;
  'iam-group-update': IamGroupUpdate;
  'iam-policy': IamPolicy;
  'iam-service-account-create': IamServiceAccountCreate;
  'iam-service-account-update': IamServiceAccountUpdate;
  'iam-user-create': IamUserCreate;
  'iam-user-update': IamUserUpdate;
  'identity-urn': IdentityUrn;
  'keystone-auth': KeystoneAuth;
  'list-query': ListQuery;
  'name-policy': NamePolicy;
  'secret-config': SecretConfig;
  'secret-v2-create': SecretV2Create;
  'secret-v2-update': SecretV2Update;
  'secret-v2-version-create': SecretV2VersionCreate;
  'secret-v2-version-state': SecretV2VersionState;
  'server-certificate-revoke': ServerCertificateRevoke;
  'servicekey-create': ServicekeyCreate;
  'servicekey-deactivate': ServicekeyDeactivate;
  'servicekey-export-query': ServicekeyExportQuery;
  'servicekey-patch': ServicekeyPatch;
  'servicekey-wrapped-key': ServicekeyWrappedKey;
  'sign': Sign;
  'uuid-param': UuidParam;
  'vault-kv-config': VaultKvConfig;
  'vault-kv-metadata': VaultKvMetadata;
  'vault-kv-versions': VaultKvVersions;
  'vault-kv-write': VaultKvWrite;
  'verify': Verify;
}
