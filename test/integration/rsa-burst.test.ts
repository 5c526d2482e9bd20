import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createDomain, rootUrn, startTestOkmsd, type TestOkmsd } from '../helpers/harness';

let t: TestOkmsd;
beforeAll(async () => {
  t = await startTestOkmsd();
});
afterAll(async () => {
  await t.dispose();
});

/**
 * RSA 2048 key generation costs ~130 ms of CPU per key here. It runs on the thread pool, bounded, so
 * the event loop keeps answering: this is a behaviour test (the loop is never blocked for the length of
 * a key generation), not a speed test; figures live in bench/.
 */
it('a burst of RSA creations does not stall /healthz', async () => {
  const domain = await createDomain(t, 'rsa-burst');
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const burst = Array.from({ length: 8 }, (_, i) =>
    t.api('POST', `/okms/resource/${domain.id}/credential`, { body: { name: `rsa-${i}`, identityURNs: [rootUrn()], certificateType: 'RSA' } }),
  );
  let settled = false;
  const all = Promise.all(burst).finally(() => {
    settled = true;
  });
  const healthLatencies: number[] = [];
  while (!settled) {
    const started = performance.now();
    const health = await t.api('GET', '/healthz', { token: null });
    expect(health.status).toBe(200);
    healthLatencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  histogram.disable();
  const responses = await all;
  expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
  expect(healthLatencies.length).toBeGreaterThan(5);
  const worstHealthMs = Math.max(...healthLatencies);
  const worstLoopDelayMs = histogram.max / 1e6;
  // A synchronous key generation would block the loop for >= 100 ms per key.
  expect(worstLoopDelayMs).toBeLessThan(100);
  expect(worstHealthMs).toBeLessThan(100);
  console.log(`RSA burst: ${healthLatencies.length} /healthz probes, worst ${worstHealthMs.toFixed(1)} ms; worst event-loop delay ${worstLoopDelayMs.toFixed(1)} ms`);
});
