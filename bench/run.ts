/**
 * npm run bench: measures the real server (production build, one process) on
 * MariaDB against baselines taken in the same run, and prints a Markdown
 * report (also written to bench/results/latest.json). Targets are in
 * BENCHMARKS.md. Environment: BENCH_SECONDS (default 10), BENCH_MYSQL_URL
 * (default mysql://root@127.0.0.1:3306), BENCH_ONLY (comma-separated scenario
 * names).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createConnection, createPool, type Pool } from 'mysql2/promise';
import { hammer, loop } from './lib/measure';
import { startBenchServer, type BenchServer } from './lib/server';

const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const MYSQL_URL = process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306';
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const CONCURRENCY = 64;

interface Row {
  scenario: string;
  metric: string;
  value: number;
  baseline?: string;
  baselineValue?: number;
  target?: string;
  p99Ms?: number;
}

const rows: Row[] = [];
const results: Record<string, unknown> = {};

function report(row: Row): void {
  rows.push(row);
  const ratio = row.baselineValue ? ` (${(row.value / row.baselineValue).toFixed(2)}× ${row.baseline})` : '';
  console.log(`${row.scenario}: ${row.metric} ${row.value.toFixed(1)}${ratio}${row.p99Ms !== undefined ? `, p99 ${row.p99Ms.toFixed(1)} ms` : ''}`);
}

const wanted = (name: string) => !ONLY || ONLY.includes(name);

let clientEventSeq = 0;
const runId = randomBytes(4).toString('hex');

function recordInput(i: number) {
  return {
    clientEventId: `bench-${runId}-${clientEventSeq++}`,
    type: 'GOAL_ACHIEVED',
    visitorId: `bench-visitor-${i % 5_000}`,
    sessionId: `bench-session-${i % 20_000}`,
    chat: { kind: 'DIALOGUE', id: 'bench-chat', name: 'Bench dialogue' },
    pageUrl: 'https://example.com/pricing',
    goal: 'pricing-viewed',
  };
}

const RECORD = 'mutation($input: RecordChatActivityInput!) { recordChatActivity(input: $input) { outcome activity { id } } }';
const RECORD_MANY = 'mutation($inputs: [RecordChatActivityInput!]!) { recordChatActivities(inputs: $inputs) { index error { code } payload { outcome } } }';

async function rawInsertBaselines(pool: Pool): Promise<{ single: number; singleP99: number; multi: number }> {
  await pool.query('CREATE TABLE bench_raw LIKE activity');
  const columns =
    '(id, workspace_id, person_id, type, occurred_at, recorded_at, visitor_id, session_id, chat_kind, chat_id, chat_name, page_url, client_event_id, goal)';
  const values = (n: number) => {
    const now = Date.now();
    const id = `${runId}-${n}-${randomBytes(8).toString('hex')}`.slice(0, 36);
    return [id, 'ws', 'person', 'GOAL_ACHIEVED', now, now, `v${n % 5000}`, `s${n % 20000}`, 'DIALOGUE', 'bench-chat', 'Bench dialogue', 'https://example.com/pricing', id, 'pricing-viewed'];
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
  return { single: single.opsPerSecond, singleP99: single.p99Ms, multi: multi.opsPerSecond * 100 };
}

async function main(): Promise<void> {
  const database = `dca_bench_${runId}`;
  const admin = await createConnection(MYSQL_URL);
  await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const url = new URL(MYSQL_URL);
  url.pathname = `/${database}`;
  const key = `dca_bench_${randomBytes(16).toString('hex')}`;
  let server: BenchServer | undefined;
  const pool = createPool({ uri: url.toString(), connectionLimit: CONCURRENCY });
  try {
    server = await startBenchServer({ DATABASE_URL: url.toString(), BOOTSTRAP_API_KEY: key });
    console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${SECONDS} s per scenario`);

    // Warm-up: JIT, connection pools, prepared statements.
    await hammer({ url: server.url, key, connections: 8, seconds: 2, body: () => JSON.stringify({ query: '{ __typename }' }) });

    const trivial = await hammer({ url: server.url, key, connections: CONCURRENCY, seconds: SECONDS, body: () => '{"query":"{ __typename }"}' });
    results.trivial = trivial;
    report({ scenario: 'trivial { __typename }', metric: 'req/s', value: trivial.requestsPerSecond, p99Ms: trivial.p99Ms });

    const raw = await rawInsertBaselines(pool);
    results.raw = raw;
    report({ scenario: 'raw mysql2 single-row INSERT ×64', metric: 'rows/s', value: raw.single, p99Ms: raw.singleP99 });
    report({ scenario: 'raw mysql2 INSERT of 100 rows ×4', metric: 'rows/s', value: raw.multi });

    if (wanted('record')) {
      const record = await hammer({
        url: server.url,
        key,
        connections: CONCURRENCY,
        seconds: SECONDS,
        body: (i) => JSON.stringify({ query: RECORD, variables: { input: recordInput(i) } }),
        verify: (body) => body.includes('"outcome":"RECORDED"'),
      });
      results.record = record;
      report({ scenario: 'recordChatActivity ×64', metric: 'req/s', value: record.requestsPerSecond, baseline: 'trivial', baselineValue: trivial.requestsPerSecond, target: '≥ 0.5×', p99Ms: record.p99Ms });
      report({ scenario: 'recordChatActivity ×64', metric: 'rows/s', value: record.requestsPerSecond, baseline: 'raw single-row', baselineValue: raw.single, target: '≥ 0.5×, p99 ≤ 25 ms', p99Ms: record.p99Ms });
    }

    if (wanted('record-batch')) {
      const batch = await hammer({
        url: server.url,
        key,
        connections: 4,
        seconds: SECONDS,
        body: () => JSON.stringify({ query: RECORD_MANY, variables: { inputs: Array.from({ length: 100 }, (_, j) => recordInput(j)) } }),
        verify: (body) => !body.includes('"error":{') && body.includes('RECORDED'),
      });
      results.recordBatch = batch;
      report({ scenario: 'recordChatActivities of 100 ×4', metric: 'rows/s', value: batch.requestsPerSecond * 100, baseline: 'raw multi-row', baselineValue: raw.multi, target: '≥ 0.5×', p99Ms: batch.p99Ms });
    }
  } finally {
    await server?.stop();
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
  }

  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), JSON.stringify({ at: new Date().toISOString(), seconds: SECONDS, rows, results }, null, 2));
  console.log('\n| Scenario | Metric | Value | Baseline | Ratio | Target | p99 ms |\n| --- | --- | --- | --- | --- | --- | --- |');
  for (const row of rows) {
    const ratio = row.baselineValue ? (row.value / row.baselineValue).toFixed(2) : '';
    console.log(`| ${row.scenario} | ${row.metric} | ${row.value.toFixed(0)} | ${row.baseline ? `${row.baseline} ${row.baselineValue!.toFixed(0)}` : ''} | ${ratio} | ${row.target ?? ''} | ${row.p99Ms?.toFixed(1) ?? ''} |`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
