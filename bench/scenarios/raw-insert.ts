import { randomBytes } from 'node:crypto';
import type { Pool } from 'mysql2/promise';
import { CONCURRENCY, RUN_ID, SECONDS } from '../lib/config';
import { cpuNote, loop } from '../lib/measure';
import type { RawInsertBaselines, Scenario } from '../lib/scenario';

/**
 * The database's own write rate, without the API: single-row INSERTs from 64 mysql2 connections, then INSERTs of
 * 100 rows from 4, into a copy of the activity table.
 */
async function rawInsertBaselines(pool: Pool): Promise<RawInsertBaselines> {
  await pool.query('CREATE TABLE bench_raw LIKE activity');
  const columns =
    '(id, workspace_id, person_id, type, occurred_at, recorded_at, visitor_id, session_id, chat_kind, chat_id, chat_name, page_url, client_event_id, goal)';
  const values = (n: number) => {
    const now = Date.now();
    const id = `${RUN_ID}-${n}-${randomBytes(8).toString('hex')}`.slice(0, 36);
    return [
      id,
      'ws',
      'person',
      'GOAL_ACHIEVED',
      now,
      now,
      `v${n % 5000}`,
      `s${n % 20000}`,
      'DIALOGUE',
      'bench-chat',
      'Bench dialogue',
      'https://example.com/pricing',
      id,
      'pricing-viewed',
    ];
  };
  let seq = 0;
  const single = await loop(CONCURRENCY, SECONDS, async () => {
    await pool.execute(`INSERT INTO bench_raw ${columns} VALUES (${Array(14).fill('?').join(',')})`, values(seq++));
  });
  const multi = await loop(4, SECONDS, async () => {
    const batch = Array.from({ length: 100 }, () => values(seq++));
    await pool.query(`INSERT INTO bench_raw ${columns} VALUES ?`, [batch]);
  });
  await pool.query('DROP TABLE bench_raw');
  return {
    single: single.opsPerSecond,
    singleP99: single.p99Ms,
    singleCpu: single.cpu,
    multi: multi.opsPerSecond * 100,
    multiCpu: multi.cpu,
  };
}

/** The baseline of the recording scenarios. */
export const rawInsert: Scenario = {
  name: 'raw-insert',
  always: true,
  mariadb: async ({ pool, report, results }) => {
    const raw = await rawInsertBaselines(pool);
    results.raw = raw;
    report({
      scenario: 'raw mysql2 single-row INSERT ×64',
      metric: 'rows/s',
      value: raw.single,
      p99Ms: raw.singleP99,
      note: cpuNote(raw.singleCpu, 'row'),
    });
    report({
      scenario: 'raw mysql2 INSERT of 100 rows ×4',
      metric: 'rows/s',
      value: raw.multi,
      note: cpuNote(raw.multiCpu, 'row', 100),
    });
  },
};
