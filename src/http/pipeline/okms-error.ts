import { OkmsError, type ErrorCode } from '../../domain/errors';

/**
 * The OKMS data-plane error body: `error_code` is the packed uint32 the OVH SDK decodes
 * (major << 24 | minor << 16 | category << 12 | code), plus okmsd's machine-readable `reason`.
 */
const MAJOR_REST = 3;
const MINOR = { general: 1, authProvider: 2, serviceKeys: 3 } as const;
const CATEGORY = { internal: 1, argument: 2, authentication: 3, authorization: 4, notFound: 5, tooManyRequests: 9, conflict: 10 } as const;

export type RefusalReason =
  | 'cert_missing' | 'cert_untrusted' | 'cert_expired' | 'cert_revoked' | 'cert_unknown' | 'cert_identity_mismatch'
  | 'untrusted_proxy' | 'token_invalid' | 'wrong_domain' | 'domain_not_found' | 'identity_not_authorized' | 'bad_request' | 'body_too_large' | 'unsupported_media_type'
  | 'not_found' | 'method_not_allowed' | 'conflict' | 'busy' | 'rate_limited' | 'internal';

const REASONS: Record<RefusalReason, { status: number; minor: number; category: number; code: number }> = {
  cert_missing: { status: 401, minor: MINOR.authProvider, category: CATEGORY.authentication, code: 1 },
  cert_untrusted: { status: 401, minor: MINOR.authProvider, category: CATEGORY.authentication, code: 2 },
  cert_expired: { status: 401, minor: MINOR.authProvider, category: CATEGORY.authentication, code: 3 },
  cert_revoked: { status: 401, minor: MINOR.authProvider, category: CATEGORY.authentication, code: 4 },
  cert_unknown: { status: 401, minor: MINOR.authProvider, category: CATEGORY.authentication, code: 5 },
  cert_identity_mismatch: { status: 401, minor: MINOR.authProvider, category: CATEGORY.authentication, code: 6 },
  untrusted_proxy: { status: 401, minor: MINOR.authProvider, category: CATEGORY.authentication, code: 7 },
  token_invalid: { status: 401, minor: MINOR.authProvider, category: CATEGORY.authentication, code: 8 },
  wrong_domain: { status: 403, minor: MINOR.authProvider, category: CATEGORY.authorization, code: 1 },
  identity_not_authorized: { status: 403, minor: MINOR.authProvider, category: CATEGORY.authorization, code: 2 },
  domain_not_found: { status: 404, minor: MINOR.general, category: CATEGORY.notFound, code: 1 },
  not_found: { status: 404, minor: MINOR.serviceKeys, category: CATEGORY.notFound, code: 2 },
  bad_request: { status: 400, minor: MINOR.general, category: CATEGORY.argument, code: 1 },
  body_too_large: { status: 413, minor: MINOR.general, category: CATEGORY.argument, code: 2 },
  unsupported_media_type: { status: 415, minor: MINOR.general, category: CATEGORY.argument, code: 3 },
  method_not_allowed: { status: 405, minor: MINOR.general, category: CATEGORY.argument, code: 4 },
  conflict: { status: 409, minor: MINOR.general, category: CATEGORY.conflict, code: 1 },
  busy: { status: 429, minor: MINOR.general, category: CATEGORY.tooManyRequests, code: 1 },
  rate_limited: { status: 429, minor: MINOR.general, category: CATEGORY.tooManyRequests, code: 2 },
  internal: { status: 500, minor: MINOR.general, category: CATEGORY.internal, code: 1 },
};

const CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: 'ERR_VALIDATION', 401: 'ERR_UNAUTHENTICATED', 403: 'ERR_FORBIDDEN', 404: 'ERR_NOT_FOUND', 405: 'ERR_METHOD_NOT_ALLOWED', 409: 'ERR_CONFLICT',
  413: 'ERR_BODY_TOO_LARGE', 415: 'ERR_UNSUPPORTED_MEDIA_TYPE', 429: 'ERR_RATE_LIMITED', 500: 'ERR_INTERNAL',
};

const isReason = (value: string | undefined): value is RefusalReason => value !== undefined && Object.hasOwn(REASONS, value);

/** A refusal in the data plane's terms; an OkmsError like every other, so one renderer serves every plane. */
export class GatewayError extends OkmsError {
  declare readonly reason: RefusalReason;
  constructor(reason: RefusalReason, message: string, options: { retryAfterSeconds?: number } = {}) {
    super(CODE_OF_STATUS[REASONS[reason].status]!, message, { reason, ...options });
    this.name = 'GatewayError';
  }
}

/** The data-plane reason of any OkmsError: its own, else the one its status stands for. */
export function refusalReasonOf(error: OkmsError): RefusalReason {
  if (isReason(error.reason)) return error.reason;
  if (error.code === 'ERR_BUSY') return 'busy';
  const { status } = error;
  return status === 404 ? 'not_found' : status === 405 ? 'method_not_allowed' : status === 409 ? 'conflict' : status === 413 ? 'body_too_large'
    : status === 415 ? 'unsupported_media_type' : status === 429 ? 'rate_limited' : status === 401 ? 'cert_missing' : status === 403 ? 'identity_not_authorized'
    : status < 500 ? 'bad_request' : 'internal';
}

export function errorCode(reason: RefusalReason): number {
  const r = REASONS[reason];
  return ((MAJOR_REST << 24) | (r.minor << 16) | (r.category << 12) | r.code) >>> 0;
}

export function okmsErrorBody(error: OkmsError, requestId: string) {
  const reason = refusalReasonOf(error);
  return { error_code: errorCode(reason), errors: [error.expose ? error.message : 'internal error'], request_id: requestId, reason };
}
