/**
 * The OKMS data-plane error body: `error_code` is the packed uint32 the OVH SDK decodes
 * (major << 24 | minor << 16 | category << 12 | code), plus okmsd's machine-readable `reason`.
 */
const MAJOR_REST = 3;
const MINOR = { general: 1, authProvider: 2, serviceKeys: 3 } as const;
const CATEGORY = { internal: 1, argument: 2, authentication: 3, authorization: 4, notFound: 5, tooManyRequests: 9, conflict: 10 } as const;

export type RefusalReason =
  | 'cert_missing' | 'cert_untrusted' | 'cert_expired' | 'cert_revoked' | 'cert_unknown' | 'cert_identity_mismatch'
  | 'untrusted_proxy' | 'wrong_domain' | 'domain_not_found' | 'identity_not_authorized' | 'bad_request' | 'body_too_large' | 'unsupported_media_type' | 'not_found' | 'conflict' | 'busy' | 'internal';

const REASONS: Record<RefusalReason, { status: number; minor: number; category: number; code: number }> = {
  cert_missing: { status: 401, minor: MINOR.authProvider, category: CATEGORY.authentication, code: 1 },
  cert_untrusted: { status: 401, minor: MINOR.authProvider, category: CATEGORY.authentication, code: 2 },
  cert_expired: { status: 401, minor: MINOR.authProvider, category: CATEGORY.authentication, code: 3 },
  cert_revoked: { status: 401, minor: MINOR.authProvider, category: CATEGORY.authentication, code: 4 },
  cert_unknown: { status: 401, minor: MINOR.authProvider, category: CATEGORY.authentication, code: 5 },
  cert_identity_mismatch: { status: 401, minor: MINOR.authProvider, category: CATEGORY.authentication, code: 6 },
  untrusted_proxy: { status: 401, minor: MINOR.authProvider, category: CATEGORY.authentication, code: 7 },
  wrong_domain: { status: 403, minor: MINOR.authProvider, category: CATEGORY.authorization, code: 1 },
  identity_not_authorized: { status: 403, minor: MINOR.authProvider, category: CATEGORY.authorization, code: 2 },
  domain_not_found: { status: 404, minor: MINOR.general, category: CATEGORY.notFound, code: 1 },
  not_found: { status: 404, minor: MINOR.serviceKeys, category: CATEGORY.notFound, code: 2 },
  bad_request: { status: 400, minor: MINOR.general, category: CATEGORY.argument, code: 1 },
  body_too_large: { status: 413, minor: MINOR.general, category: CATEGORY.argument, code: 2 },
  unsupported_media_type: { status: 415, minor: MINOR.general, category: CATEGORY.argument, code: 3 },
  conflict: { status: 409, minor: MINOR.general, category: CATEGORY.conflict, code: 1 },
  busy: { status: 429, minor: MINOR.general, category: CATEGORY.tooManyRequests, code: 1 },
  internal: { status: 500, minor: MINOR.general, category: CATEGORY.internal, code: 1 },
};

/** A refusal or failure on the data plane, with the reason that goes to the client and to the audit log. */
export class GatewayError extends Error {
  readonly status: number;
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'GatewayError';
    this.status = REASONS[reason].status;
  }
}

export function errorCode(reason: RefusalReason): number {
  const r = REASONS[reason];
  return ((MAJOR_REST << 24) | (r.minor << 16) | (r.category << 12) | r.code) >>> 0;
}

export function okmsErrorBody(error: GatewayError, requestId: string) {
  return { error_code: errorCode(error.reason), errors: [error.message], request_id: requestId, reason: error.reason };
}
