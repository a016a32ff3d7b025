import { SECONDS } from '../lib/config';
import { cpuNote, hammer } from '../lib/measure';
import { recordInput } from '../lib/recording';
import type { Scenario } from '../lib/scenario';
import type { BenchServer } from '../lib/server';

const RECORD_MANY =
  'mutation($inputs: [RecordChatActivityInput!]!) { recordChatActivities(inputs: $inputs) { index error { code } payload { outcome } } }';

let batchVisitorSeq = 0;
/**
 * `recordChatActivities` of 100 new activities from 4 clients for BENCH_SECONDS. `distinct`: each batch has the next
 * 100 of the 5 000 bench visitors, so concurrent batches write for different people, as batches from different
 * widgets or an import would. `shared`: every batch has visitors 0..99, so the 4 concurrent transactions lock the
 * same 100 people (the activity's foreign key and the campaign hooks' person locks) and queue behind each other:
 * the contention case, reported beside it (runs A-G of BENCHMARKS.md measured only this one).
 */
const batchLoad = (server: BenchServer, visitors: 'distinct' | 'shared' = 'distinct') =>
  hammer({
    url: server.url,
    key: server.key,
    connections: 4,
    seconds: SECONDS,
    body: () =>
      JSON.stringify({
        query: RECORD_MANY,
        variables: {
          inputs: Array.from({ length: 100 }, (_, j) => recordInput(visitors === 'shared' ? j : batchVisitorSeq++)),
        },
      }),
    verify: (body) => !body.includes('"error":{') && body.includes('RECORDED'),
  });

/** Batches of 100 against raw multi-row INSERTs, then the same batches contending for the same people. */
export const recordBatch: Scenario = {
  name: 'record-batch',
  mariadb: async ({ server, report, results }) => {
    const batch = await batchLoad(server);
    results.recordBatch = batch;
    report({
      scenario: 'recordChatActivities of 100 ×4',
      metric: 'rows/s',
      value: batch.requestsPerSecond * 100,
      baseline: 'raw multi-row',
      // raw-insert runs first in every run.
      baselineValue: results.raw!.multi,
      target: '≥ 0.5×',
      p99Ms: batch.p99Ms,
      note: cpuNote(batch.cpu, 'row', 100),
    });
    const shared = await batchLoad(server, 'shared');
    results.recordBatchShared = shared;
    report({
      scenario: 'recordChatActivities of 100 ×4, the same 100 visitors in every batch',
      metric: 'rows/s',
      value: shared.requestsPerSecond * 100,
      baseline: 'distinct visitors',
      baselineValue: batch.requestsPerSecond * 100,
      p99Ms: shared.p99Ms,
      note: cpuNote(shared.cpu, 'row', 100),
    });
  },
  sqlite: async ({ server, report, results, mariadb }) => {
    const batch = await batchLoad(server);
    results.recordBatch = batch;
    const mariaRows = mariadb.recordBatch ? mariadb.recordBatch.requestsPerSecond * 100 : undefined;
    report({
      scenario: 'SQLite: recordChatActivities of 100 ×4',
      metric: 'rows/s',
      value: batch.requestsPerSecond * 100,
      baseline: 'MariaDB',
      baselineValue: mariaRows,
      p99Ms: batch.p99Ms,
      note: cpuNote(batch.cpu, 'row', 100),
    });
  },
};
