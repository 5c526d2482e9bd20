import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { GatewayError } from './okms-error';

/** What a data-plane route sees of its request: already matched, its body parsed, nothing else. */
export interface DataPlaneRequest {
  readonly method: string;
  readonly path: string;
  /** The `{name}` segments of the route's path, URL-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** The parsed JSON body; undefined when the request had none. */
  readonly body: unknown;
  readonly socket: TLSSocket;
}

export const BODY_LIMIT_BYTES = 64 * 1024;
const JSON_TYPE = /^(?:application\/(?:[\w.+-]+\+)?json|text\/json)\s*(?:;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([\w-]+)"?/i;

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

/** JSON (`application/json`, `text/json`, `application/*+json`, UTF-8) or nothing; anything else names the field. */
export function parseJsonBody(raw: Buffer, contentType: string | undefined): unknown {
  if (raw.length === 0) return undefined;
  if (!contentType || !JSON_TYPE.test(contentType)) throw new GatewayError('unsupported_media_type', 'Content-Type: the body must be application/json');
  const charset = CHARSET.exec(contentType)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw new GatewayError('unsupported_media_type', 'Content-Type: the body must be UTF-8');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new GatewayError('bad_request', '(body): the request body is not valid JSON');
  }
}

/** `?a=1&b=2`; a parameter given twice is refused rather than guessed at. */
export function parseQuery(search: string): Record<string, string | undefined> {
  const query: Record<string, string | undefined> = {};
  if (search.length <= 1) return query;
  for (const [name, value] of new URLSearchParams(search)) {
    if (Object.hasOwn(query, name)) throw new GatewayError('bad_request', `${name.slice(0, 64)}: given more than once`);
    query[name] = value;
  }
  return query;
}
