/**
 * One error type for the whole service. Every failure a caller can cause has a code in
 * ERROR_CATALOG; the HTTP layer (src/http/pipeline/render.ts) is the only place it becomes a body.
 */
export const ERROR_CATALOG = {
  ERR_VALIDATION: { status: 400, class: 'Client::BadRequest', message: 'the request is invalid' },
  ERR_MALFORMED_JSON: { status: 400, class: 'Client::BadRequest', message: 'the request body is not valid JSON' },
  ERR_CSR_INVALID: { status: 400, class: 'Client::BadRequest', message: 'the CSR is not a valid PKCS#10 request' },
  ERR_CSR_SIGNATURE: { status: 400, class: 'Client::BadRequest', message: 'the CSR signature does not verify' },
  ERR_CSR_KEY_UNSUPPORTED: { status: 400, class: 'Client::BadRequest', message: 'the CSR key type or size is not accepted' },
  ERR_CSR_KEY_MISMATCH: { status: 400, class: 'Client::BadRequest', message: 'the CSR key type contradicts certificateType' },
  ERR_URN_INVALID: { status: 400, class: 'Client::BadRequest', message: 'the URN is invalid' },
  ERR_VALIDITY_OUT_OF_RANGE: { status: 400, class: 'Client::BadRequest', message: 'the validity is out of range' },
  ERR_CURSOR_INVALID: { status: 400, class: 'Client::BadRequest', message: 'the pagination cursor is invalid' },
  ERR_UNAUTHENTICATED: { status: 401, class: 'Client::Unauthorized', message: 'a valid admin token is required' },
  ERR_FORBIDDEN: { status: 403, class: 'Client::Forbidden', message: 'the caller may not do this' },
  ERR_IDENTITY_NOT_OWNED: { status: 403, class: 'Client::Forbidden', message: 'the identity belongs to another account' },
  ERR_NOT_FOUND: { status: 404, class: 'Client::NotFound', message: 'the resource does not exist' },
  ERR_METHOD_NOT_ALLOWED: { status: 405, class: 'Client::MethodNotAllowed', message: 'the method is not allowed here' },
  ERR_NOT_ACCEPTABLE: { status: 406, class: 'Client::NotAcceptable', message: 'the requested representation is not available' },
  ERR_CONFLICT: { status: 409, class: 'Client::Conflict', message: 'the resource already exists or changed meanwhile' },
  ERR_BODY_TOO_LARGE: { status: 413, class: 'Client::PayloadTooLarge', message: 'the request body is too large' },
  ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, class: 'Client::UnsupportedMediaType', message: 'the content type is not supported' },
  ERR_BUSY: { status: 429, class: 'Client::TooManyRequests', message: 'too many requests of this kind are in progress; retry later' },
  ERR_RATE_LIMITED: { status: 429, class: 'Client::TooManyRequests', message: 'too many requests; retry after the time in Retry-After' },
  ERR_INTERNAL: { status: 500, class: 'Server::InternalServerError', message: 'internal error' },
  ERR_UNAVAILABLE: { status: 503, class: 'Server::ServiceUnavailable', message: 'the service is not available' },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export interface ErrorOptions {
  /** The request field the error is about, as a dotted path (`identityURNs[2]`, `csr`). */
  field?: string;
  /** Public, structured detail (never secrets). */
  details?: Record<string, unknown>;
  cause?: unknown;
  /** A machine-readable refusal reason of the data plane's dialect (cert_revoked, identity_not_authorized, …). */
  reason?: string;
  /** For 429 and 503: when the caller may try again (the Retry-After header). */
  retryAfterSeconds?: number;
}

export class OkmsError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  /** Whether the message may be shown to the caller (4xx) or only logged (5xx). */
  readonly expose: boolean;
  readonly reason: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message?: string, options: ErrorOptions = {}) {
    super(message ?? ERROR_CATALOG[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OkmsError';
    this.code = code;
    this.status = ERROR_CATALOG[code].status;
    this.field = options.field;
    this.details = options.details;
    this.expose = this.status < 500;
    this.reason = options.reason;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isOkmsError(value: unknown): value is OkmsError {
  return value instanceof OkmsError;
}
