/**
 * A route's path, OpenAPI style: literal segments and `{name}` parameters; a last `{name+}` takes the rest of the
 * path (one segment or more, joined with `/`: Vault clients send a secret's path unencoded).
 */
export interface RoutedPath {
  readonly method: string;
  readonly path: string;
}

export type PathMatch<R> = { readonly route: R; readonly params: Record<string, string> };

interface Compiled<R> {
  readonly route: R;
  readonly method: string;
  /** A literal segment, or the name of a parameter (`names[i]` set). */
  readonly literals: readonly (string | undefined)[];
  readonly names: readonly (string | undefined)[];
  /** The name of a last `{name+}` parameter. */
  readonly rest?: string;
}

/** A path's segments, a trailing slash ignored: `/a/b/` → ['', 'a', 'b']. */
const segmentsOf = (pathname: string): string[] => (pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname).split('/');

/**
 * Matches `METHOD /a/{b}/c` paths segment by segment: no regular expressions, no allocation for routes of another
 * length. Parameters are URL-decoded; a segment that does not decode matches nothing. A trailing slash is ignored.
 */
export class PathRouter<R extends RoutedPath> {
  private readonly byLength = new Map<number, Compiled<R>[]>();
  /** Routes ending in `{name+}`, tried when no route of the exact length matches. */
  private readonly greedy: Compiled<R>[] = [];

  constructor(routes: readonly R[]) {
    for (const route of routes) {
      const all = route.path.split('/').slice(1);
      const last = all[all.length - 1]!;
      const rest = last.startsWith('{') && last.endsWith('+}') ? last.slice(1, -2) : undefined;
      const segments = rest === undefined ? all : all.slice(0, -1);
      const names = segments.map((s) => (s.startsWith('{') && s.endsWith('}') ? s.slice(1, -1) : undefined));
      const compiled: Compiled<R> = { route, method: route.method.toUpperCase(), literals: segments.map((s, i) => (names[i] ? undefined : s)), names, ...(rest ? { rest } : {}) };
      if (rest !== undefined) {
        this.greedy.push(compiled);
        continue;
      }
      const list = this.byLength.get(segments.length) ?? [];
      list.push(compiled);
      this.byLength.set(segments.length, list);
    }
  }

  match(method: string, pathname: string): PathMatch<R> | undefined {
    const segments = segmentsOf(pathname);
    const candidates = this.byLength.get(segments.length - 1);
    if (segments[0] !== '') return undefined;
    for (const candidate of candidates ?? []) {
      if (candidate.method !== method) continue;
      const params = this.bind(candidate, segments);
      if (params) return { route: candidate.route, params };
    }
    for (const candidate of this.greedy) {
      if (candidate.method !== method) continue;
      const params = this.bind(candidate, segments);
      if (params) return { route: candidate.route, params };
    }
    return undefined;
  }

  /** The methods some route takes on `pathname` (for a 405's Allow header). */
  allowedMethods(pathname: string): string[] {
    const segments = segmentsOf(pathname);
    const methods = new Set<string>();
    for (const candidate of [...(this.byLength.get(segments.length - 1) ?? []), ...this.greedy]) if (this.bind(candidate, segments)) methods.add(candidate.method);
    return [...methods];
  }

  private bind(candidate: Compiled<R>, segments: readonly string[]): Record<string, string> | undefined {
    const params: Record<string, string> = {};
    const fixed = candidate.literals.length;
    if (candidate.rest !== undefined ? segments.length - 1 <= fixed : segments.length - 1 !== fixed) return undefined;
    for (let i = 0; i < candidate.literals.length; i += 1) {
      const segment = segments[i + 1]!;
      const name = candidate.names[i];
      if (name === undefined) {
        if (segment !== candidate.literals[i]) return undefined;
        continue;
      }
      if (segment === '') return undefined;
      try {
        params[name] = segment.includes('%') ? decodeURIComponent(segment) : segment;
      } catch {
        return undefined;
      }
    }
    if (candidate.rest !== undefined) {
      const tail = segments.slice(fixed + 1);
      if (tail.some((segment) => segment === '')) return undefined;
      try {
        params[candidate.rest] = tail.map((segment) => (segment.includes('%') ? decodeURIComponent(segment) : segment)).join('/');
      } catch {
        return undefined;
      }
    }
    return params;
  }
}
