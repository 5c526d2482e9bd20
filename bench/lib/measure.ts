import { readFileSync } from 'node:fs';

/** CPU time (user + system, ms) a process has used so far, all its threads: Linux's /proc; undefined elsewhere. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks: USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * Like throughput, and the CPU that `pid` (this process when omitted) spent per job meanwhile, in ms: steadier than
 * throughput on a shared machine, since time taken by the machine's other tenants is not counted.
 */
export async function throughputAndCpu(count: number, concurrency: number, job: (index: number) => Promise<void>, pid?: number): Promise<{ rate: number; cpuMs: number | undefined }> {
  const own = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const cpu = () => (pid === undefined ? own() : processCpuMs(pid));
  const before = cpu();
  const rate = await throughput(count, concurrency, job);
  const after = cpu();
  return { rate, cpuMs: before === undefined || after === undefined ? undefined : (after - before) / count };
}

/** Runs `job` with `concurrency` workers until `count` jobs are done; returns jobs per second. */
export async function throughput(count: number, concurrency: number, job: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      await job(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return count / ((performance.now() - started) / 1000);
}

/** Best of `rounds` measurements: the least disturbed by the rest of the machine. */
export async function bestOf(rounds: number, measure: () => Promise<number>): Promise<number> {
  let best = 0;
  for (let round = 0; round < rounds; round += 1) best = Math.max(best, await measure());
  return best;
}

export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toFixed(c >= 100 ? 0 : 2) : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  const line = (r: Array<string | number>) => r.map((c, i) => String(c).padEnd(widths[i]!)).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
