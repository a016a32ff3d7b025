import { CONCURRENCY, SECONDS } from '../lib/config';
import { cpuNote, hammer } from '../lib/measure';
import type { MariaDbPass, Scenario } from '../lib/scenario';
import type { BenchServer } from '../lib/server';

/** `{ __typename }` from 64 clients for BENCH_SECONDS: the API with nothing to resolve. */
const trivialLoad = (server: BenchServer) =>
  hammer({
    url: server.url,
    key: server.key,
    connections: CONCURRENCY,
    seconds: SECONDS,
    body: () => '{"query":"{ __typename }"}',
  });

/**
 * The trivial query again, right before a scenario compared with it: this machine's speed drifts by tens of
 * percent within a run (BENCHMARKS.md), so a ratio against a baseline taken minutes earlier measures the drift as
 * much as the scenario.
 */
export async function trivialBefore(pass: MariaDbPass, scenario: string) {
  const adjacent = await trivialLoad(pass.server);
  pass.report({
    scenario: `trivial { __typename }, just before ${scenario}`,
    metric: 'req/s',
    value: adjacent.requestsPerSecond,
    p99Ms: adjacent.p99Ms,
    note: cpuNote(adjacent.cpu),
  });
  return adjacent;
}

/** The opening baseline: the trivial query once, on the freshly warmed-up server. */
export const trivial: Scenario = {
  name: 'trivial',
  always: true,
  mariadb: async (pass) => {
    const trivial = await trivialLoad(pass.server);
    pass.results.trivial = trivial;
    pass.report({
      scenario: 'trivial { __typename }',
      metric: 'req/s',
      value: trivial.requestsPerSecond,
      p99Ms: trivial.p99Ms,
      note: cpuNote(trivial.cpu),
    });
  },
};
