import type { ServerResponse } from 'node:http';
import { ERROR_CATALOG, OkmsError, isOkmsError } from '../../domain/errors';
import { GatewayError, okmsErrorBody } from './okms-error';
import type { Dialect, Reply } from './route';

/** What goes on the wire: status, headers and body, decided before anything is written. */
export interface Rendered {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: string | Buffer;
}

/** The control plane's error body: OVH API's `class` + `message`, plus a stable code and the field. */
export interface ErrorBody {
  class: string;
  message: string;
  code: string;
  field?: string;
  details?: Record<string, unknown>;
  requestId: string;
}

export function toOkmsError(error: unknown): OkmsError {
  if (isOkmsError(error)) return error;
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
export const reasonPhrase = (status: number) => REASONS[status] ?? 'Error';
const exposedMessage = (error: OkmsError) => (error.expose ? error.message : ERROR_CATALOG[error.code].message);

/** Barbican's error body: python-barbicanclient prints `title: description`. */
export function barbicanErrorBody(error: OkmsError): { code: number; title: string; description: string } {
  const description = error instanceof GatewayError ? `${exposedMessage(error)} (${error.reason})` : exposedMessage(error);
  return { code: error.status, title: reasonPhrase(error.status), description };
}

export function keystoneErrorBody(error: OkmsError): { error: { code: number; title: string; message: string } } {
  return { error: { code: error.status, title: reasonPhrase(error.status), message: exposedMessage(error) } };
}

function json(status: number, body: unknown, headers: Record<string, string>): Rendered {
  const text = JSON.stringify(body);
  return { status, headers: { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) }, body: text };
}

/** The one place where an error becomes a response, in the dialect of the route's plane. */
export function renderError(dialect: Dialect, error: OkmsError, requestId: string, extraHeaders: Record<string, string> = {}): Rendered {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', 'X-Request-Id': requestId, ...extraHeaders };
  if (error.retryAfterSeconds !== undefined) headers['Retry-After'] = String(Math.max(1, Math.ceil(error.retryAfterSeconds)));
  switch (dialect) {
    case 'okms': return json(error.status, okmsErrorBody(error, requestId), headers);
    // Vault's error body: what hvac and the Go client read (they print the list).
    case 'vault': return json(error.status, { errors: [error instanceof GatewayError ? `${exposedMessage(error)} (${error.reason})` : exposedMessage(error)] }, headers);
    case 'barbican': return json(error.status, barbicanErrorBody(error), headers);
    case 'keystone': return json(error.status, keystoneErrorBody(error), headers);
    default: return json(error.status, errorBody(error, requestId), headers);
  }
}

export function renderReply(reply: Reply, requestId: string): Rendered {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', 'X-Request-Id': requestId, ...reply.headers };
  if (reply.text) {
    const length = typeof reply.text.body === 'string' ? Buffer.byteLength(reply.text.body) : reply.text.body.length;
    return { status: reply.status, headers: { ...headers, 'Content-Type': reply.text.contentType, 'Content-Length': String(length) }, body: reply.text.body };
  }
  if (reply.body === undefined) return { status: reply.status, headers: reply.status === 204 ? headers : { ...headers, 'Content-Length': '0' } };
  return json(reply.status, reply.body, headers);
}

/** Writes a rendered response on either server (Express's response is Node's). */
export function writeRendered(res: ServerResponse, rendered: Rendered, closeConnection = false): void {
  if (res.headersSent) return;
  if (closeConnection) res.shouldKeepAlive = false;
  res.writeHead(rendered.status, rendered.headers);
  res.end(rendered.body);
}
