/** The messages between the embedded store's WriterThread (main thread) and its worker (writer-worker.ts). */

/** One SQL statement of a write. `get` returns the row (RETURNING), `run` the number of changed rows. */
export interface WriteStep {
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly mode: 'run' | 'get';
  /** Skip this step (result undefined) unless the previous step returned a row / changed a row. */
  readonly onlyIfPrevious?: boolean;
}

export interface WriterConfig {
  readonly file: string;
  /** How long a deferSync chain record may wait for fsync (0: never defer). */
  readonly deferSyncMs: number;
}

/** A batch: the writes (each its own savepoint) and the bare audit records to chain after them. */
export interface BatchMessage {
  readonly id: number;
  readonly writes: readonly (readonly WriteStep[])[];
  readonly chain: readonly string[];
  /** True only when the batch carries deferrable chain records and nothing else. */
  readonly deferSync: boolean;
}

export type ToWorker = BatchMessage | { readonly type: 'close' };

export interface Failure {
  readonly ok: false;
  readonly code?: string;
  readonly message: string;
}

export type WriteOutcome = { readonly ok: true; readonly value: unknown[] } | Failure;

/** What the worker answers for a batch's chain records: the first seq and link, then each record's hash. */
export type ChainOutcome = { readonly ok: true; readonly first: number; readonly prevHash: string; readonly hashes: readonly string[] } | Failure;

export interface BatchResult {
  readonly id: number;
  readonly outcomes: readonly WriteOutcome[];
  readonly chain?: ChainOutcome;
}

export type FromWorker = BatchResult | { readonly type: 'closed' };
