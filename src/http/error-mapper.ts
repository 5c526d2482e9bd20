import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ERROR_CATALOG, OkmsError, isOkmsError } from '../domain/errors';

/** The control plane's error body: OVH API's `class` + `message`, plus a stable code and the field. */
export interface ErrorBody {
  class: string;
  message: string;
  code: string;
  field?: string;
  details?: Record<string, unknown>;
  requestId: string;
}

/** Errors thrown by body-parser carry a `type`; each maps to a catalogued code. */
function fromParserError(error: { type?: string; status?: number }): OkmsError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new OkmsError('ERR_MALFORMED_JSON', 'the request body is not valid JSON', { field: '(body)' });
    case 'entity.too.large':
      return new OkmsError('ERR_BODY_TOO_LARGE', 'the request body is larger than 64 KiB', { field: '(body)' });
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new OkmsError('ERR_UNSUPPORTED_MEDIA_TYPE', 'the body must be UTF-8 and not compressed', { field: 'Content-Type' });
    case 'request.aborted':
    case 'request.size.invalid':
      return new OkmsError('ERR_VALIDATION', 'the request body was incomplete', { field: '(body)' });
    default:
      return undefined;
  }
}

export function toOkmsError(error: unknown): OkmsError {
  if (isOkmsError(error)) return error;
  const parserError = fromParserError(error as { type?: string });
  if (parserError) return parserError;
  return new OkmsError('ERR_INTERNAL', undefined, { cause: error });
}

export function errorBody(error: OkmsError, requestId: string): ErrorBody {
  const catalogued = ERROR_CATALOG[error.code];
  return {
    class: catalogued.class,
    // Unexposed (5xx) errors never show their message: it may name internals.
    message: error.expose ? error.message : catalogued.message,
    code: error.code,
    ...(error.expose && error.field !== undefined ? { field: error.field } : {}),
    ...(error.expose && error.details !== undefined ? { details: error.details } : {}),
    requestId,
  };
}

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable',
  409: 'Conflict', 413: 'Request Entity Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};
const reasonPhrase = (status: number) => REASONS[status] ?? 'Error';
const exposedMessage = (error: OkmsError) => (error.expose ? error.message : ERROR_CATALOG[error.code].message);

/** Barbican's error body: python-barbicanclient prints `title: description`. */
export function barbicanErrorBody(error: OkmsError): { code: number; title: string; description: string } {
  return { code: error.status, title: reasonPhrase(error.status), description: exposedMessage(error) };
}

/** The one place where an error becomes an HTTP response. */
export function errorHandler(logger: Logger) {
  return (raw: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const error = toOkmsError(raw);
    const requestId = String(res.locals.requestId ?? '');
    if (error.status >= 500) {
      const cause = error.cause instanceof Error ? { name: error.cause.name, message: error.cause.message, stack: error.cause.stack } : undefined;
      logger.error({ requestId, code: error.code, cause }, 'request failed');
    }
    res.locals.errorCode = error.code;
    if (res.headersSent) return;
    res.status(error.status).set('Cache-Control', 'no-store');
    // The OpenStack clients read their own error shapes: Barbican's under /v1, Keystone's under /v3.
    if (req.path === '/v1' || req.path.startsWith('/v1/')) res.json(barbicanErrorBody(error));
    else if (req.path === '/v3' || req.path.startsWith('/v3/')) res.json({ error: { code: error.status, title: reasonPhrase(error.status), message: exposedMessage(error) } });
    else res.json(errorBody(error, requestId));
  };
}
