import { ConcurrencyLimit } from '../../src/domain/concurrency-limit';
import { OkmsError } from '../../src/domain/errors';

it('runs at most N jobs at once, queues the next ones and refuses beyond the queue', async () => {
  const limit = new ConcurrencyLimit(2, 2);
  let running = 0;
  let peak = 0;
  const releases: Array<() => void> = [];
  const job = () =>
    limit.run(async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise<void>((resolve) => releases.push(resolve));
      running -= 1;
    });
  const jobs = [job(), job(), job(), job()];
  await expect(job()).rejects.toMatchObject({ code: 'ERR_BUSY' } satisfies Partial<OkmsError>);
  await new Promise((r) => setImmediate(r));
  expect(running).toBe(2);
  while (releases.length > 0 || running > 0) {
    releases.shift()?.();
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(jobs);
  expect(peak).toBe(2);
});

it('frees its slot when a job fails', async () => {
  const limit = new ConcurrencyLimit(1, 0);
  await expect(limit.run(async () => { throw new Error('boom'); })).rejects.toThrow('boom');
  await expect(limit.run(async () => 42)).resolves.toBe(42);
});
