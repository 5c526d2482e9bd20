import type { Repositories, StoreHealth } from './ports';

/**
 * The storage contract. Every adapter (embedded SQLite, MongoDB) implements exactly this and passes
 * the same contract suite (test/integration/storage). Writes resolve only once durable. `create` rejects a
 * duplicate key with OkmsError ERR_CONFLICT. Only the composition root holds a whole Store.
 */
export interface Store extends Repositories, StoreHealth {
  close(): Promise<void>;
}
