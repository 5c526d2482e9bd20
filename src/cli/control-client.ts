import { CliError, EXIT, exitCodeFor } from './context';

/** The control-plane API over HTTP, with errors turned into one clear line and an exit code. */
export class ControlClient {
  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
  ) {}

  async call<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    return (await this.exchange<T>(method, path, body, contentType)).body;
  }

  /** Every page of a list, following X-Pagination-Cursor-Next; `progress` hears the running count. */
  async listAll<T>(path: string, progress?: (count: number) => void): Promise<T[]> {
    const all: T[] = [];
    let cursor: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page: { body: T[]; next: string | null } = await this.exchange<T[]>('GET', `${path}${cursor ? `${separator}cursor=${encodeURIComponent(cursor)}` : ''}`);
      all.push(...page.body);
      cursor = page.next;
      if (cursor) progress?.(all.length);
    } while (cursor);
    return all;
  }

  private async exchange<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ body: T; next: string | null }> {
    if (!this.token) throw new CliError('no admin token: pass --token, set OKMSD_ADMIN_TOKEN, or save one with `okmsd profile set --token …`', EXIT.auth);
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
        body: body === undefined ? undefined : typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body),
      });
    } catch (error) {
      throw new CliError(`cannot reach okmsd at ${this.url}: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not JSON: show it as it is
      }
      throw new CliError(`${method} ${path}: ${response.status} ${message}`, exitCodeFor(response.status));
    }
    return { body: (text ? JSON.parse(text) : undefined) as T, next: response.headers.get('x-pagination-cursor-next') };
  }
}
