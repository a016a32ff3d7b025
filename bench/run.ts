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
import WebSocket from 'ws';
import { hammer, loop } from './lib/measure';
import { seedBulk } from './lib/seed';
import { startBenchServer, type BenchServer } from './lib/server';

const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const MYSQL_URL = process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306';
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const CONCURRENCY = 64;
const SEED_PEOPLE = Number(process.env.BENCH_PEOPLE || 100_000);
const SEED_ACTIVITIES = Number(process.env.BENCH_ACTIVITIES || 1_000_000);
const IDLE_SOCKETS = Number(process.env.BENCH_IDLE_SOCKETS || 10_000);

const TIMELINE = `query($id: ID!, $after: String) { person(id: $id) { activities(first: 20, after: $after) {
  edges { cursor node { id type occurredAt chat { id name } ... on GoalAchievedActivity { goal } } } pageInfo { hasNextPage endCursor } } } }`;

/** Opens `count` graphql-ws connections (connection_init with the key, acknowledged) and keeps them idle. */
async function openIdleSockets(wsUrl: string, key: string, count: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let start = 0; start < count; start += 500) {
    const batch = Array.from({ length: Math.min(500, count - start) }, () =>
      new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
        socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } })));
        socket.once('message', (data) => (JSON.parse(String(data)).type === 'connection_ack' ? resolve(socket) : reject(new Error(String(data)))));
        socket.once('error', reject);
      }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

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

    if (wanted('timeline')) {
      const [{ id: workspaceId }] = (await pool.query('SELECT id FROM workspace LIMIT 1'))[0] as Array<{ id: string }>;
      const t0 = Date.now();
      const seeded = await seedBulk(pool, workspaceId, SEED_PEOPLE, SEED_ACTIVITIES);
      console.log(`seeded ${seeded.people} people and ${seeded.activities} activities in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      results.seed = seeded;
      // The cursor of page 1000 (rows 19 980..19 999 of the busiest person), read straight from the table.
      const [[row]] = (await pool.query(
        'SELECT occurred_at, id FROM activity WHERE person_id = ? ORDER BY occurred_at DESC, id DESC LIMIT 1 OFFSET 19979',
        [seeded.busiestPersonId],
      )) as unknown as Array<Array<{ occurred_at: number | string; id: string }>>;
      const deepCursor = Buffer.from(JSON.stringify([Number(row.occurred_at), row.id])).toString('base64url');
      const page = (after: string | null) => () => JSON.stringify({ query: TIMELINE, variables: { id: seeded.busiestPersonId, after } });
      const verify = (body: string) => body.includes('"edges":[{') && !body.includes('"errors"');
      const first = await hammer({ url: server.url, key, connections: CONCURRENCY, seconds: SECONDS, body: page(null), verify });
      const deep = await hammer({ url: server.url, key, connections: CONCURRENCY, seconds: SECONDS, body: page(deepCursor), verify });
      results.timeline = { first, deep };
      report({ scenario: `timeline page 1 (${SEED_ACTIVITIES / 1e6}M activities)`, metric: 'req/s', value: first.requestsPerSecond, baseline: 'trivial', baselineValue: trivial.requestsPerSecond, target: '≥ 0.5×', p99Ms: first.p99Ms });
      report({ scenario: 'timeline page 1000 (cursor)', metric: 'p50 ms', value: deep.p50Ms, baseline: 'page 1 p50', baselineValue: first.p50Ms, target: '≤ 2×', p99Ms: deep.p99Ms });
      report({ scenario: 'timeline page 1000 (cursor)', metric: 'req/s', value: deep.requestsPerSecond, baseline: 'trivial', baselineValue: trivial.requestsPerSecond, target: '≥ 0.5×', p99Ms: deep.p99Ms });
    }

    if (wanted('idle-sockets')) {
      const before = server.rssMiB();
      const sockets = await openIdleSockets(server.wsUrl, key, IDLE_SOCKETS);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const after = server.rssMiB();
      results.idleSockets = { count: sockets.length, rssBeforeMiB: before, rssAfterMiB: after };
      report({ scenario: `${sockets.length} idle graphql-ws connections`, metric: 'server RSS MiB', value: after, baseline: 'RSS before', baselineValue: before });
      for (const socket of sockets) socket.terminate();
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
