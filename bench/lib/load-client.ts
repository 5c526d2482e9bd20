/**
 * One load-client process for bench/cluster: runs `load()` as told by BENCH_LOAD (JSON: url, tls, concurrency,
 * durationMs, warmupMs, body) and prints its LoadResult as one JSON line.
 */
import { load } from './load';

const task = JSON.parse(process.env.BENCH_LOAD ?? '{}') as { url: string; tls: { cert: string; key: string; ca: string }; concurrency: number; durationMs: number; warmupMs: number; body: string };
load(task.url, { concurrency: task.concurrency, durationMs: task.durationMs, warmupMs: task.warmupMs, keepAlive: true, tls: task.tls, method: 'POST', body: task.body })
  .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
