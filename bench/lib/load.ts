import { Agent, request, type AgentOptions } from 'node:https';

export interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly errors: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * A closed-loop HTTPS load: `concurrency` workers, each sending its next request when the previous answer
 * is complete, for `durationMs`. keepAlive false opens a new TLS connection (full handshake) per request.
 */
export async function load(
  url: string,
  options: {
    concurrency: number; durationMs: number; warmupMs?: number; keepAlive: boolean; tls: AgentOptions; method?: string; expect?: number;
    /** A fixed body, or one made for each request (writes that must not collide). */
    body?: string | (() => string);
    headers?: Record<string, string>;
  },
): Promise<LoadResult> {
  const agent = new Agent({ ...options.tls, keepAlive: options.keepAlive, maxSockets: options.concurrency, maxCachedSessions: 0 });
  const latencies: number[] = [];
  let errors = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const body = typeof options.body === 'function' ? options.body() : options.body;
      const req = request(
        url,
        { method: options.method ?? 'GET', agent, headers: { ...options.headers, ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}) } },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            if (res.statusCode !== (options.expect ?? 200)) errors += 1;
            else latencies.push(performance.now() - started);
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end(body);
    });
  const run = async (durationMs: number) => {
    const deadline = performance.now() + durationMs;
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (performance.now() < deadline) await one();
      }),
    );
  };
  // Warm-up, unmeasured: with keep-alive each worker first opens its connection (a full handshake), then the same
  // load runs for warmupMs, so that the figures describe the steady state of both ends (JIT-compiled, caches
  // filled), not the connection storm and the compilation at the start.
  if (options.keepAlive) await Promise.all(Array.from({ length: options.concurrency }, () => one()));
  if (options.warmupMs) await run(options.warmupMs);
  latencies.length = 0;
  errors = 0;
  const started = performance.now();
  await run(options.durationMs);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, rps: latencies.length / elapsed, p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), p999: percentile(latencies, 99.9), errors };
}
