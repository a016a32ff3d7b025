import { randomBytes } from 'node:crypto';
import { CONCURRENCY, SECONDS } from '../lib/config';
import { cpuNote, findProcess, hammer, watchCpu, type CpuPerOp, type HttpResult } from '../lib/measure';
import { RECORD, recordInput } from '../lib/recording';
import type { Scenario } from '../lib/scenario';
import { startBenchServer, type BenchServer } from '../lib/server';

const INSTANCES = Number(process.env.BENCH_SCALE_INSTANCES || 3);
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';

/** 64 clients spread evenly over `servers`, all at once; rates add up, CPU is per request of the whole load. */
async function spread(
  servers: BenchServer[],
  seconds: number,
): Promise<{ requestsPerSecond: number; p99Ms: number; cpu: CpuPerOp; errors: number }> {
  const per = Math.max(1, Math.floor(CONCURRENCY / servers.length));
  const results: HttpResult[] = await Promise.all(
    servers.map((server, s) =>
      hammer({
        url: server.url,
        key: server.key,
        connections: per,
        seconds,
        body: (i) => JSON.stringify({ query: RECORD, variables: { input: recordInput(i * servers.length + s) } }),
        verify: (body) => body.includes('"outcome":"RECORDED"'),
      }),
    ),
  );
  const total = results.reduce((sum, r) => sum + r.total, 0);
  // Each load's CPU figure covers the same window, divided by its own requests: back to totals, then per request.
  const cpu: CpuPerOp = {};
  for (const label of Object.keys(results[0].cpu)) {
    if (label === 'load generator') continue;
    cpu[label] = (results[0].cpu[label] * results[0].total) / total;
  }
  cpu['load generator'] = results.reduce((sum, r) => sum + r.cpu['load generator'] * r.total, 0) / total;
  return {
    requestsPerSecond: results.reduce((sum, r) => sum + r.requestsPerSecond, 0),
    p99Ms: Math.max(...results.map((r) => r.p99Ms)),
    cpu,
    errors: results.reduce((sum, r) => sum + r.errors + r.non2xx, 0),
  };
}

/**
 * `recordChatActivity` from 64 clients spread over 1 to BENCH_SCALE_INSTANCES
 * server processes on the pass's MariaDB database, each with Redis (as
 * deployed behind a load balancer), with MariaDB's and every server's CPU per
 * request: on this machine the servers and MariaDB share two cores, so the
 * rate says little about more machines, and the database's CPU per request
 * says how many requests one database core carries (BENCHMARKS.md).
 */
export const scaleOut: Scenario = {
  name: 'scale-out',
  mariadb: async (pass) => {
    const servers: BenchServer[] = [];
    // The pass's own server stays idle meanwhile; these are the instances measured.
    const env = {
      DATABASE_URL: pass.databaseUrl,
      REDIS_URL,
      // The database is bootstrapped already: the pass server's key is valid on every instance.
      BOOTSTRAP_API_KEY: pass.server.key,
      DATABASE_POOL_SIZE: '10',
      SECRETS_KEY: randomBytes(32).toString('hex'),
    };
    const results: Record<string, unknown> = {};
    watchCpu('server', undefined);
    try {
      for (let n = 1; n <= INSTANCES; n += 1) {
        const server = await startBenchServer(env);
        servers.push(server);
        watchCpu('MariaDB', findProcess(['mariadbd', 'mysqld']));
        servers.forEach((s, i) => watchCpu(`server ${i + 1}`, s.process.pid));
        await spread(servers, 3);
        const load = await spread(servers, SECONDS);
        results[`instances${n}`] = load;
        const baseline = results.instances1 as { requestsPerSecond: number };
        pass.report({
          scenario: `scale-out: recordChatActivity ×64 over ${n} instance${n > 1 ? 's' : ''}`,
          metric: 'req/s',
          value: load.requestsPerSecond,
          baseline: '1 instance',
          baselineValue: baseline.requestsPerSecond,
          p99Ms: load.p99Ms,
          note: `${cpuNote(load.cpu)}${load.errors ? `; ${load.errors} errors` : ''}`,
        });
      }
    } finally {
      servers.forEach((_s, i) => watchCpu(`server ${i + 1}`, undefined));
      watchCpu('server', pass.server.process.pid);
      await Promise.all(servers.map((s) => s.stop()));
    }
    pass.results.scaleOut = results;
  },
};
