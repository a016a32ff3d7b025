import autocannon from 'autocannon';

export interface HttpResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
  total: number;
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
  if (bad > 0) throw new Error(`${bad} of ${checked} sampled responses were wrong`);
  return {
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
  return { opsPerSecond: count / elapsed, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99), total: count };
}

export function percentile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
