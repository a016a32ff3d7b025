import { CONCURRENCY, SECONDS } from '../lib/config';
import { HTTP_FLOOR_STEPS, startHttpFloor } from '../lib/http-floor';
import { cpuNote, findProcess, hammer, watchCpu, type HttpResult } from '../lib/measure';
import type { Scenario } from '../lib/scenario';
import { START_FLAGS } from '../lib/server';

const HTTP_FLOOR_ROUNDS = 3;

/**
 * What the trivial query costs before the API's own code: the same answer through node:http, then Express, its body
 * parser, helmet and cors, and Apollo Server, one layer more per step (http-floor-server.js). The machine drifts by
 * tens of percent within minutes (BENCHMARKS.md, run N2), so the steps and the API's own trivial query take turns,
 * HTTP_FLOOR_ROUNDS rounds of shorter loads, and each reports its median round (by server CPU per request).
 */
export const httpFloor: Scenario = {
  name: 'http-floor',
  mariadb: async ({ server, report, results }) => {
    const floors = await Promise.all(HTTP_FLOOR_STEPS.map(({ step }) => startHttpFloor(step, START_FLAGS)));
    const api = { label: "the API's trivial query", url: server.url, pid: server.process.pid };
    const targets = [
      ...HTTP_FLOOR_STEPS.map(({ label }, i) => ({ label, url: floors[i].url, pid: floors[i].pid })),
      api,
    ];
    const seconds = Math.max(3, Math.round(SECONDS / 2));
    const load = (url: string, connections: number, duration: number) =>
      hammer({
        url,
        key: server.key,
        connections,
        seconds: duration,
        body: () => '{"query":"{ __typename }"}',
        verify: (body) => body.includes('"__typename":"Query"'),
      });
    const measured: HttpResult[][] = targets.map(() => []);
    watchCpu('MariaDB', undefined);
    try {
      for (const target of targets) await load(target.url, 8, 2);
      for (let round = 0; round < HTTP_FLOOR_ROUNDS; round += 1) {
        for (const [i, target] of targets.entries()) {
          watchCpu('server', target.pid);
          measured[i].push(await load(target.url, CONCURRENCY, seconds));
        }
      }
    } finally {
      watchCpu('server', server.process.pid);
      watchCpu('MariaDB', findProcess(['mariadbd', 'mysqld']));
      await Promise.all(floors.map((floor) => floor.stop()));
    }
    const median = (runs: HttpResult[]) =>
      [...runs].sort((a, b) => a.cpu.server - b.cpu.server)[Math.floor(runs.length / 2)];
    const medians = measured.map(median);
    const apiMedian = medians[medians.length - 1];
    results.httpFloor = Object.fromEntries(
      targets.map((target, i) => [target.label, { median: medians[i], rounds: measured[i] }]),
    );
    // The target: the whole API (Fastify) against the Express + Apollo floor it replaced, the last step.
    const express = medians[medians.length - 2];
    report({
      scenario: "the API's trivial query against the Express + Apollo floor",
      metric: 'req/s',
      value: apiMedian.requestsPerSecond,
      baseline: 'Express floor',
      baselineValue: express.requestsPerSecond,
      target: '≥ 1.1×',
      p99Ms: apiMedian.p99Ms,
      note: `median rounds; server CPU per request ${Math.round(apiMedian.cpu.server)} µs against ${Math.round(express.cpu.server)} µs`,
    });
    for (const [i, target] of targets.entries()) {
      const cpuRange = measured[i].map((run) => Math.round(run.cpu.server)).join(' / ');
      report({
        scenario: `HTTP floor: ${target.label}`,
        metric: 'req/s',
        value: medians[i].requestsPerSecond,
        ...(target === api ? {} : { baseline: "the API's trivial query", baselineValue: apiMedian.requestsPerSecond }),
        p99Ms: medians[i].p99Ms,
        note: `${cpuNote(medians[i].cpu)} (median of ${HTTP_FLOOR_ROUNDS} rounds of ${seconds} s; server per round ${cpuRange} µs)`,
      });
    }
  },
};
