import { execSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';

/**
 * CPU accounting: each measurement also reports the CPU time every watched process (the server, MariaDB) and the
 * load generator (this process) spent per operation, from /proc. On two shared cores a throughput alone does not
 * say who is the bottleneck; these do. Empty where /proc is missing.
 */
const watched = new Map<string, number>();
const CLOCK_TICKS = (() => {
  try {
    return Number(execSync('getconf CLK_TCK').toString()) || 100;
  } catch {
    return 100;
  }
})();

/** Reports `label`'s CPU with every measurement from now on; no pid stops reporting it. */
export function watchCpu(label: string, pid: number | undefined): void {
  if (pid) watched.set(label, pid);
  else watched.delete(label);
}

/** The pid of the first process whose command name is one of `names` (e.g. mariadbd, mysqld). */
export function findProcess(names: string[]): number | undefined {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (names.includes(readFileSync(`/proc/${entry}/comm`, 'utf8').trim())) return Number(entry);
      } catch {
        // gone meanwhile
      }
    }
  } catch {
    // no /proc
  }
  return undefined;
}

function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime + stime, all threads
  } catch {
    return NaN;
  }
}

export type CpuPerOp = Record<string, number>;

function cpuMeter(): () => (operations: number) => CpuPerOp {
  const start = new Map([...watched].map(([label, pid]) => [label, cpuSeconds(pid)]));
  const self = process.cpuUsage();
  return () => {
    const end = new Map([...watched].map(([label, pid]) => [label, cpuSeconds(pid)]));
    const mine = process.cpuUsage(self);
    return (operations) => {
      const out: CpuPerOp = {};
      for (const [label, seconds] of end) out[label] = ((seconds - start.get(label)!) * 1e6) / operations;
      out['load generator'] = (mine.user + mine.system) / operations;
      return out;
    };
  };
}

/** `server N µs, MariaDB N µs, load generator N µs`: the CPU each spent per operation (or per `unit`, dividing by `per`). */
export function cpuNote(cpu: CpuPerOp, unit = 'request', per = 1): string {
  const parts = Object.entries(cpu)
    .filter(([, us]) => Number.isFinite(us))
    .map(([label, us]) => `${label} ${Math.round(us / per)} µs`);
  return parts.length ? `CPU per ${unit}: ${parts.join(', ')}` : '';
}

export interface HttpResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  total: number;
  cpu: CpuPerOp;
}

/**
 * Drives the server with autocannon for `seconds` at `connections`
 * concurrent connections. `body(i)` builds each request so writes are unique.
 */
export async function hammer(options: {
  url: string;
  key: string;
  connections: number;
  seconds: number;
  body: (i: number) => string;
  /** Checks a sample of responses; a scenario whose answers are wrong must not report a speed. */
  verify?: (responseBody: string) => boolean;
}): Promise<HttpResult> {
  let i = 0;
  let bad = 0;
  let checked = 0;
  const meter = cpuMeter();
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.key}` },
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: options.body(i++) }),
        onResponse: (_status, body) => {
          if (options.verify && checked < 2_000) {
            checked += 1;
            if (!options.verify(body)) bad += 1;
          }
        },
      },
    ],
  });
  const cpu = meter()(Math.max(1, result.requests.total));
  if (bad > 0) throw new Error(`${bad} of ${checked} sampled responses were wrong`);
  return {
    cpu,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}

/** Runs `task` from `concurrency` loops for `seconds`; returns operations/s and latency percentiles. */
export async function loop(concurrency: number, seconds: number, task: (worker: number, n: number) => Promise<void>) {
  const latencies: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  let count = 0;
  const meter = cpuMeter();
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let n = 0; Date.now() < deadline; n += 1) {
        const t0 = process.hrtime.bigint();
        await task(worker, n);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        count += 1;
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = meter()(Math.max(1, count));
  return {
    cpu,
    opsPerSecond: count / elapsed,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    total: count,
  };
}

export function percentile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
