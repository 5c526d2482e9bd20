import type { IncomingMessage } from 'node:http';
import { OkmsError } from '../../domain/errors';

const unsupported = (message: string) => new OkmsError('ERR_UNSUPPORTED_MEDIA_TYPE', message, { field: 'Content-Type', reason: 'unsupported_media_type' });
export const bodyTooLarge = () => new OkmsError('ERR_BODY_TOO_LARGE', '(body): the request body is larger than 64 KiB', { field: '(body)', reason: 'body_too_large' });
export const bodyRequired = () => new OkmsError('ERR_VALIDATION', '(body): a request body is required', { field: '(body)', reason: 'bad_request' });

export const BODY_LIMIT_BYTES = 64 * 1024;
const JSON_TYPE = /^(?:application\/(?:[\w.+-]+\+)?json|text\/json)\s*(?:;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([\w-]+)"?/i;

export const isJsonType = (contentType: string | undefined) => contentType !== undefined && JSON_TYPE.test(contentType);

/**
 * The raw body, at most `limit` bytes. A larger body (announced or sent) is a 413 refusal, not an error:
 * the rest is read and dropped so that the reply still reaches the client.
 */
export function readRawBody(req: IncomingMessage, limit = BODY_LIMIT_BYTES): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const declared = req.headers['content-length'];
    let tooLarge = declared !== undefined && Number(declared) > limit;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.once('end', () => resolve(tooLarge ? 'too_large' : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

const mediaType = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase();

/** Whether `contentType` is one of `types` (`application/*+json` matches any JSON type). */
export function contentTypeIs(contentType: string | undefined, types: readonly string[]): boolean {
  if (!contentType) return false;
  const media = mediaType(contentType);
  return types.some((type) => type === media || (type === 'application/*+json' && isJsonType(contentType)) || (type === 'application/json' && isJsonType(contentType)));
}

/**
 * The body as the route takes it: undefined when empty; parsed JSON for a JSON type (UTF-8 only); the bytes
 * for another type the route consumes; anything else is a 415 naming Content-Type. Compressed bodies are refused.
 */
export function parseBody(raw: Buffer, contentType: string | undefined, contentEncoding: string | undefined, consumes: readonly string[]): unknown {
  if (raw.length === 0) return undefined;
  if (contentEncoding !== undefined && !/^\s*identity\s*$/i.test(contentEncoding)) {
    throw new OkmsError('ERR_UNSUPPORTED_MEDIA_TYPE', 'Content-Encoding: compressed bodies are not accepted', { field: 'Content-Encoding', reason: 'unsupported_media_type' });
  }
  if (isJsonType(contentType)) {
    const charset = CHARSET.exec(contentType!)?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw unsupported('Content-Type: the body must be UTF-8');
    if (!consumes.some((type) => type === 'application/json' || type === 'application/*+json')) {
      throw unsupported(`Content-Type must be one of ${consumes.join(', ')}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch {
      value = undefined;
    }
    // Strict, as body-parser's: a body is an object or an array.
    if (value === null || typeof value !== 'object') {
      throw new OkmsError('ERR_MALFORMED_JSON', '(body): the request body is not valid JSON (an object or an array)', { field: '(body)', reason: 'bad_request' });
    }
    return value;
  }
  if (contentTypeIs(contentType, consumes)) return raw;
  throw unsupported(`Content-Type must be one of ${consumes.join(', ')}`);
}

/** `?a=1&b=2`; a parameter given twice is an array, or refused rather than guessed at when `refuseRepeats`. */
export function parseQuery(search: string, refuseRepeats: boolean): Record<string, string | string[] | undefined> {
  const query: Record<string, string | string[] | undefined> = {};
  if (search.length <= 1) return query;
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(search);
  } catch {
    throw new OkmsError('ERR_VALIDATION', '(query): the query string does not decode', { field: '(query)' });
  }
  for (const [name, value] of params) {
    const previous = query[name];
    if (Object.hasOwn(query, name)) {
      if (refuseRepeats) throw new OkmsError('ERR_VALIDATION', `${name.slice(0, 64)}: given more than once`, { field: name.slice(0, 64), reason: 'bad_request' });
      query[name] = Array.isArray(previous) ? [...previous, value] : [previous as string, value];
    } else query[name] = value;
  }
  return query;
}
