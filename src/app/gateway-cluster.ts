import cluster, { type Worker } from 'node:cluster';

/** A worker that dies within this long of its start counts as a failed start. */
const FAILED_START_MS = 10_000;

export interface GatewayCluster {
  stop(): Promise<void>;
}

/**
 * The primary of `okmsd serve --plane gateway --workers N`: N gateway processes (node:cluster) share the gateway
 * and KMIP ports, the primary accepting connections and handing them round-robin to the workers; every worker opens
 * the one store itself. Workers start one after the other (the first finishes any start-up work on the store
 * before the next opens it). A worker that exits unasked is replaced; when starts keep failing, the cluster stops.
 * The primary serves nothing and holds no key material.
 */
export async function startGatewayCluster(workers: number, log: (message: string, fields?: Record<string, unknown>) => void): Promise<GatewayCluster> {
  let stopping = false;
  let failedStarts = 0;
  const running: Worker[] = [];
  const startOne = (slot: number) =>
    new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const worker = cluster.fork();
      running[slot] = worker;
      worker.on('message', (message: unknown) => {
        if ((message as { okmsd?: string } | null)?.okmsd === 'listening') resolve();
      });
      worker.once('exit', (code, signal) => {
        if (stopping) return;
        const failed = Date.now() - started < FAILED_START_MS;
        failedStarts = failed ? failedStarts + 1 : 0;
        log('gateway worker exited', { slot, pid: worker.process.pid, code, signal, failedStarts });
        if (failedStarts > workers * 2) {
          reject(new Error(`gateway workers keep failing to start (last exit code ${code}, signal ${signal})`));
          void stop().then(() => process.exit(1));
          return;
        }
        // The successor's readiness settles this start too: a worker that failed once at start-up is not waited on forever.
        startOne(slot).then(resolve, reject);
      });
    });
  const stop = async () => {
    stopping = true;
    await Promise.all(
      running.map((worker) =>
        worker.isDead()
          ? undefined
          : new Promise<void>((resolve) => {
              worker.once('exit', () => resolve());
              worker.process.kill('SIGTERM');
            }),
      ),
    );
  };
  for (let slot = 0; slot < workers; slot += 1) await startOne(slot);
  log('gateway cluster listening', { workers, pids: running.map((w) => w.process.pid) });
  return { stop };
}

export const isGatewayClusterWorker = (): boolean => cluster.isWorker;
