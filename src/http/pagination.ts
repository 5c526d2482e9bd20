import type { HttpRequest } from './pipeline/route';
import { OkmsError } from '../domain/errors';
import type { KeysetPosition, Page, PageRequest } from '../domain/types';
import { queryValidator } from './validation';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
const validateListQuery = queryValidator('list-query');

/** Opaque to clients: base64url of the last item's (createdAt, id). */
export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): KeysetPosition {
  const invalid = new OkmsError('ERR_CURSOR_INVALID', 'cursor: is not a cursor returned by this API', { field: 'cursor' });
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid;
  }
  if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'string' && v.length <= 64)) throw invalid;
  return { createdAt: value[0] as string, id: value[1] as string };
}

/** Reads `?cursor=&limit=` or OVH's X-Pagination-Cursor / X-Pagination-Size headers. */
export function pageRequest(req: HttpRequest): PageRequest {
  const query = validateListQuery(req.query);
  const cursor = query.cursor ?? req.get('x-pagination-cursor');
  const rawSize = query.limit ?? req.get('x-pagination-size');
  let limit = DEFAULT_PAGE_SIZE;
  if (rawSize !== undefined) {
    limit = /^\d{1,4}$/.test(rawSize) ? Number(rawSize) : NaN;
    if (!(limit >= 1 && limit <= MAX_PAGE_SIZE)) {
      throw new OkmsError('ERR_VALIDATION', `limit: must be an integer from 1 to ${MAX_PAGE_SIZE}`, { field: 'limit' });
    }
  }
  return cursor ? { after: decodeCursor(cursor), limit } : { limit };
}

/** The list body is a plain array (as OVH API v2); the next cursor travels in X-Pagination-Cursor-Next. */
export function pageHeaders<T>(page: Page<T>): Record<string, string> {
  return page.next ? { 'X-Pagination-Cursor-Next': encodeCursor(page.next) } : {};
}
