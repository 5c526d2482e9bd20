import { BoundedMap } from './bounded-map';

/**
 * A small map whose entries live at most `ttlMs` (and which forgets its oldest entries beyond `maxEntries`).
 * For state other nodes may change: the TTL is the bound on how long this node may act on an old copy.
 */
export class TtlCache<V> {
  private readonly entries: BoundedMap<string, { value: V; until: number }>;

  /** `now`: the injected clock, in epoch milliseconds. */
  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    maxEntries = 10_000,
  ) {
    this.entries = new BoundedMap(maxEntries);
  }

  get(key: string): V | undefined {
    const now = this.now();
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    this.entries.set(key, { value, until: this.now() + this.ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
