import { SECONDS } from '../lib/config';
import { cpuNote } from '../lib/measure';
import { recordLoad } from '../lib/recording';
import type { Scenario } from '../lib/scenario';
import { trivialBefore } from './trivial';

/** `recordChatActivity` from 64 clients, against the trivial query just before and raw single-row INSERTs. */
export const record: Scenario = {
  name: 'record',
  mariadb: async (pass) => {
    // Warm-up: JIT, and the people of the 5 000 bench visitors (first visits cost a person and a visitor row each).
    await recordLoad(pass.server, 3);
    const adjacent = await trivialBefore(pass, 'recording');
    const record = await recordLoad(pass.server, SECONDS);
    pass.results.record = { ...record, trivialBefore: adjacent };
    pass.report({
      scenario: 'recordChatActivity ×64',
      metric: 'req/s',
      value: record.requestsPerSecond,
      baseline: 'trivial just before',
      baselineValue: adjacent.requestsPerSecond,
      target: '≥ 0.5×',
      p99Ms: record.p99Ms,
      note: cpuNote(record.cpu),
    });
    pass.report({
      scenario: 'recordChatActivity ×64',
      metric: 'rows/s',
      value: record.requestsPerSecond,
      baseline: 'raw single-row',
      // raw-insert runs first in every run.
      baselineValue: pass.results.raw!.single,
      target: '≥ 0.5×, p99 ≤ 25 ms',
      p99Ms: record.p99Ms,
    });
  },
  sqlite: async ({ server, report, results, mariadb }) => {
    await recordLoad(server, 3);
    const record = await recordLoad(server, SECONDS);
    results.record = record;
    report({
      scenario: 'SQLite: recordChatActivity ×64',
      metric: 'req/s',
      value: record.requestsPerSecond,
      baseline: 'MariaDB',
      baselineValue: mariadb.record?.requestsPerSecond,
      p99Ms: record.p99Ms,
      note: cpuNote(record.cpu),
    });
  },
};
