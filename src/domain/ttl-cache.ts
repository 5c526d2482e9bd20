import { BoundedMap } from './bounded-map';

/**
 * A small map whose entries live at most `ttlMs` (and which forgets its oldest entries beyond `maxEntries`).
 * For state other nodes may change: the TTL is the bound on how long this node may act on an old copy.
 */
export class TtlCache<V> {
  private readonly entries: BoundedMap<string, { value: V; until: number }>;

  constructor(
    private readonly ttlMs: number,
    maxEntries = 10_000,
  ) {
    this.entries = new BoundedMap(maxEntries);
  }

  get(key: string, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, now = Date.now()): void {
    this.entries.set(key, { value, until: now + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
