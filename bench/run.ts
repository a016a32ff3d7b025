/**
 * npm run bench: measures the real server (production build, one process) on
 * MariaDB against baselines taken in the same run, and prints a Markdown
 * report (also written to bench/results/latest.json). Targets are in
 * BENCHMARKS.md. Environment: BENCH_SECONDS (default 10), BENCH_MYSQL_URL
 * (default mysql://root@127.0.0.1:3306), BENCH_ONLY (comma-separated scenario
 * names: http-floor, record, record-batch, timeline, smart-list-count, campaign-listeners,
 * idle-sockets, sqlite: the selected record/timeline/smart-list scenarios again
 * on embedded SQLite, for reference), BENCH_PEOPLE / BENCH_ACTIVITIES (the seeded data set),
 * BENCH_IDLE_SOCKETS, BENCH_LISTENERS, BENCH_CAMPAIGN_RUNS; BENCH_KEEP_DB=1 leaves the
 * database (and its seeded data) in place for EXPLAIN and experiments;
 * BENCH_CPU_PROF=<dir> has the server write a V8 CPU profile there.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { createConnection, createPool, type Pool } from 'mysql2/promise';
import WebSocket from 'ws';
import { compileFilterSet } from '../src/smart-list/filter.sql';
import { restoreFilterSet } from '../src/smart-list/filter.parser';
import { gql } from './lib/graphql';
import { openListeners } from './lib/listeners';
import { startRawFanout } from './lib/raw-fanout';
import {
  cpuNote,
  findProcess,
  hammer,
  loop,
  percentile,
  watchCpu,
  type CpuPerOp,
  type HttpResult,
} from './lib/measure';
import { mysqlWriter, seedBulk, sqliteWriter, type SeedResult } from './lib/seed';
import { HTTP_FLOOR_STEPS, startHttpFloor } from './lib/http-floor';
import { START_FLAGS, startBenchServer, type BenchServer } from './lib/server';

const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const MYSQL_URL = process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306';
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const CONCURRENCY = 64;
const SEED_PEOPLE = Number(process.env.BENCH_PEOPLE || 100_000);
const SEED_ACTIVITIES = Number(process.env.BENCH_ACTIVITIES || 1_000_000);
const IDLE_SOCKETS = Number(process.env.BENCH_IDLE_SOCKETS || 10_000);
const LISTENERS = Number(process.env.BENCH_LISTENERS || 1_000);
const CAMPAIGN_RUNS = Number(process.env.BENCH_CAMPAIGN_RUNS || 50);
const CAMPAIGN_RUN_INTERVAL_MS = 100;
const SMART_LIST_RUNS = 10;
const HTTP_FLOOR_ROUNDS = 3;

const TIMELINE = `query($id: ID!, $after: String) { person(id: $id) { activities(first: 20, after: $after) {
  edges { cursor node { id type occurredAt chat { id name } ... on GoalAchievedActivity { goal } } } pageInfo { hasNextPage endCursor } } } }`;

/** Opens `count` graphql-ws connections (connection_init with the key, acknowledged) and keeps them idle. */
async function openIdleSockets(wsUrl: string, key: string, count: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let start = 0; start < count; start += 500) {
    const batch = Array.from(
      { length: Math.min(500, count - start) },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
          socket.once('open', () =>
            socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } })),
          );
          socket.once('message', (data) =>
            JSON.parse(String(data)).type === 'connection_ack' ? resolve(socket) : reject(new Error(String(data))),
          );
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
  note?: string;
}

const rows: Row[] = [];
const results: Record<string, unknown> = {};

function report(row: Row): void {
  rows.push(row);
  const ratio = row.baselineValue ? ` (${(row.value / row.baselineValue).toFixed(2)}× ${row.baseline})` : '';
  console.log(
    `${row.scenario}: ${row.metric} ${row.value.toFixed(1)}${ratio}${row.p99Ms !== undefined ? `, p99 ${row.p99Ms.toFixed(1)} ms` : ''}${row.note ? `; ${row.note}` : ''}`,
  );
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

const RECORD =
  'mutation($input: RecordChatActivityInput!) { recordChatActivity(input: $input) { outcome activity { id } } }';
const RECORD_MANY =
  'mutation($inputs: [RecordChatActivityInput!]!) { recordChatActivities(inputs: $inputs) { index error { code } payload { outcome } } }';

const CREATE_SMART_LIST = 'mutation($input: SmartListInput!) { createSmartList(input: $input) { id } }';
const MEMBER_COUNT = 'query($id: ID!) { smartList(id: $id) { memberCount } }';
/**
 * Over the value pools of seed.ts (6 types, 40 chats, 5 goals, 90 days),
 * each filter keeps a few to a few tens of percent of the people, so ALL
 * leaves a fraction of a percent: a few hundred of 100 000.
 */
const SMART_LIST_FILTERS = [
  {
    activity: 'GOAL_ACHIEVED',
    constraints: { goal: { is: ['demo-requested'] } },
    dateOfActivity: { inPast: { amount: 30, unit: 'DAYS' } },
  },
  { activity: 'TRIGGERED', constraints: { chat: { startsWith: ['chat-1'] } }, minNumberOfTimes: 2 },
  { activity: 'MEETING_SCHEDULED', negated: true, dateOfActivity: { inPast: { amount: 30, unit: 'DAYS' } } },
];

const CREATE_CAMPAIGN = 'mutation($input: CampaignInput!) { createCampaign(input: $input) { id } }';
const ACTIVATE_CAMPAIGN = 'mutation($id: ID!) { activateCampaign(id: $id) { id active } }';
const CAMPAIGN_TRIGGERED = `subscription($campaignId: ID!) { campaignTriggered(campaignId: $campaignId) {
  id cursor triggeredAt campaign { id name } person { id score } activity { id type ... on GoalAchievedActivity { goal } } steps { position action outcome } } }`;

type Fire = () => Promise<{ activityId: string; ms: number }>;

const latencyStats = (values: number[]) => ({
  p50Ms: percentile(values, 0.5),
  p99Ms: percentile(values, 0.99),
  maxMs: Math.max(...values),
});

/** `runs` triggers, one every CAMPAIGN_RUN_INTERVAL_MS, as a steady trickle rather than a burst; when each was sent, by activity id. */
async function paced(runs: number, fire: Fire, rss: () => number) {
  const sentAt = new Map<string, number>();
  const mutationMs: number[] = [];
  let rssPeak = 0;
  const started = performance.now();
  for (let i = 0; i < runs; i += 1) {
    await sleep(Math.max(0, started + i * CAMPAIGN_RUN_INTERVAL_MS - performance.now()));
    const before = performance.now();
    const { activityId, ms } = await fire();
    sentAt.set(activityId, before);
    mutationMs.push(ms);
    rssPeak = Math.max(rssPeak, rss());
  }
  return { sentAt, mutationMs, rssPeak };
}

/**
 * LISTENERS graphql-ws clients subscribed to the campaign on `wsUrl`, then CAMPAIGN_RUNS paced triggers: for each
 * run and listener, the time from just before the trigger is sent to the run's arrival (matched by activity id).
 * Also returns one delivered result (`sample`), which the raw fan-out floor sends back as its payload.
 */
async function fanOut(options: { wsUrl: string; key: string; campaignId: string; fire: Fire; rss: () => number }) {
  const rssBefore = options.rss();
  const arrivals = new Map<string, number[]>();
  const heard = new Set<number>();
  const failures: string[] = [];
  let sample: unknown;
  const opening = performance.now();
  const listeners = await openListeners({
    wsUrl: options.wsUrl,
    key: options.key,
    count: LISTENERS,
    query: CAMPAIGN_TRIGGERED,
    variables: { campaignId: options.campaignId },
    onResult: (listener, result) => {
      const at = performance.now();
      const activityId = (result.data as { campaignTriggered?: { activity?: { id?: string } } } | null)
        ?.campaignTriggered?.activity?.id;
      if (result.errors?.length || !activityId) {
        failures.push(`listener ${listener}: ${JSON.stringify(result.errors ?? result)}`);
        return;
      }
      sample ??= result;
      heard.add(listener);
      const times = arrivals.get(activityId);
      if (times) times.push(at);
      else arrivals.set(activityId, [at]);
    },
    onError: (listener, err) =>
      failures.push(`listener ${listener}: ${err instanceof Error ? err.message : JSON.stringify(err)}`),
  });
  try {
    const connectedMs = performance.now() - opening;
    // A subscription goes live only after its stream has synced with the campaign's topic, which a client cannot see:
    // trigger until every listener has heard a run, so none of the measured runs races a subscription still starting.
    let warmUps = 0;
    for (const deadline = Date.now() + 120_000; heard.size < LISTENERS; warmUps += 1) {
      if (failures.length > 0) throw new Error(`campaign listeners failed: ${failures.slice(0, 5).join('; ')}`);
      if (Date.now() > deadline)
        throw new Error(`only ${heard.size} of ${LISTENERS} listeners heard a run within 120 s`);
      await options.fire();
      await sleep(250);
    }
    const liveMs = performance.now() - opening;
    const rssListening = options.rss();

    const { sentAt, mutationMs, rssPeak } = await paced(CAMPAIGN_RUNS, options.fire, options.rss);
    const expected = CAMPAIGN_RUNS * LISTENERS;
    const delivered = () => [...sentAt.keys()].reduce((n, id) => n + (arrivals.get(id)?.length ?? 0), 0);
    for (const deadline = Date.now() + 30_000; delivered() < expected && Date.now() < deadline;) await sleep(50);
    if (failures.length > 0) throw new Error(`campaign listeners failed: ${failures.slice(0, 5).join('; ')}`);
    if (delivered() !== expected) throw new Error(`${delivered()} of ${expected} deliveries arrived within 30 s`);

    const runs = [...sentAt].map(([id, before]) => arrivals.get(id)!.map((at) => at - before));
    return {
      delivery: latencyStats(runs.flat()),
      deliveries: runs.flat().length,
      // How long the first listener of each run waited: close to the p50 when every listener gets its run only once all are done.
      firstListener: latencyStats(runs.map((latencies) => Math.min(...latencies))),
      // Where an outlier came from: a late first listener means the run started late (commit, publish, a paused event
      // loop), an on-time first listener with a late last one means the fan-out itself stalled.
      slowest: slowestRun(runs, mutationMs),
      mutation: latencyStats(mutationMs),
      warmUps,
      connectedMs,
      liveMs,
      rssBefore,
      rssListening,
      rssPeak,
      sample,
    };
  } finally {
    await listeners.close();
  }
}

/** The run whose last listener waited longest, and how many runs had a listener wait more than 100 ms. */
function slowestRun(runs: number[][], mutationMs: number[]) {
  const last = runs.map((latencies) => Math.max(...latencies));
  const index = last.indexOf(Math.max(...last));
  return {
    firstMs: Math.min(...runs[index]),
    lastMs: last[index],
    mutationMs: mutationMs[index],
    over100Ms: last.filter((ms) => ms > 100).length,
  };
}

/** `runs` sequential calls after one untimed warm-up (query plans, buffer pool, JIT); returns the last answer. */
async function sequentially<T>(
  runs: number,
  task: () => Promise<T>,
): Promise<{ p50Ms: number; maxMs: number; last: T }> {
  let last = await task();
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    last = await task();
    times.push(performance.now() - started);
  }
  return { p50Ms: percentile(times, 0.5), maxMs: Math.max(...times), last };
}

async function rawInsertBaselines(
  pool: Pool,
): Promise<{ single: number; singleP99: number; singleCpu: CpuPerOp; multi: number; multiCpu: CpuPerOp }> {
  await pool.query('CREATE TABLE bench_raw LIKE activity');
  const columns =
    '(id, workspace_id, person_id, type, occurred_at, recorded_at, visitor_id, session_id, chat_kind, chat_id, chat_name, page_url, client_event_id, goal)';
  const values = (n: number) => {
    const now = Date.now();
    const id = `${runId}-${n}-${randomBytes(8).toString('hex')}`.slice(0, 36);
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

/** `recordChatActivity` from 64 clients for `seconds`, each call a new activity of one of 5 000 visitors. */
const recordLoad = (server: BenchServer, seconds: number) =>
  hammer({
    url: server.url,
    key: server.key,
    connections: CONCURRENCY,
    seconds,
    body: (i) => JSON.stringify({ query: RECORD, variables: { input: recordInput(i) } }),
    verify: (body) => body.includes('"outcome":"RECORDED"'),
  });

let batchVisitorSeq = 0;
/**
 * `recordChatActivities` of 100 new activities from 4 clients for BENCH_SECONDS. `distinct`: each batch has the next
 * 100 of the 5 000 bench visitors, so concurrent batches write for different people, as batches from different
 * widgets or an import would. `shared`: every batch has visitors 0..99, so the 4 concurrent transactions lock the
 * same 100 people (the activity's foreign key and the campaign hooks' person locks) and queue behind each other:
 * the contention case, reported beside it (runs A-G measured only this one).
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

/**
 * Page 1 of a person's timeline, then page 1000 (the cursor of `page1000Row`, rows 19 980..19 999), each from 64
 * clients for BENCH_SECONDS.
 */
async function timelineLoad(
  server: BenchServer,
  personId: string,
  page1000Row: { occurred_at: number | string; id: string },
) {
  const load = (after: string | null) =>
    hammer({
      url: server.url,
      key: server.key,
      connections: CONCURRENCY,
      seconds: SECONDS,
      body: () => JSON.stringify({ query: TIMELINE, variables: { id: personId, after } }),
      verify: (body) => body.includes('"edges":[{') && !body.includes('"errors"'),
    });
  const first = await load(null);
  // The cursor as the API encodes it.
  const deep = await load(
    Buffer.from(JSON.stringify([Number(page1000Row.occurred_at), page1000Row.id])).toString('base64url'),
  );
  return { first, deep };
}

/** A smart list of SMART_LIST_FILTERS with `logic`, created through the API, and its memberCount asked in sequence. */
async function countMembers(server: BenchServer, logic: 'ALL' | 'ANY', name: string) {
  const { data } = await gql(server.url, server.key, CREATE_SMART_LIST, {
    input: { name, logic, filters: SMART_LIST_FILTERS },
  });
  const id = data.createSmartList.id as string;
  const api = await sequentially(
    SMART_LIST_RUNS,
    async () => (await gql(server.url, server.key, MEMBER_COUNT, { id })).data.smartList.memberCount as number,
  );
  return { id, api };
}
const PAGE_1000_OFFSET = 19_979;

/**
 * The same server on embedded SQLite (what `npm start` runs), for reference:
 * the scenarios selected for MariaDB that make sense on one file (recording,
 * a batch, the timeline and smart-list counts on the same generated data),
 * each compared with MariaDB's figure from earlier in this run.
 */
async function sqliteReference(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dca-bench-sqlite-'));
  const file = join(dir, 'bench.sqlite');
  const key = `dca_bench_${randomBytes(16).toString('hex')}`;
  const server = await startBenchServer({ DATABASE_URL: `sqlite:${file}`, BOOTSTRAP_API_KEY: key });
  // SQLite runs inside the server process, so its CPU is the server's.
  watchCpu('server', server.process.pid);
  watchCpu('MariaDB', undefined);
  const maria = results as {
    record?: { requestsPerSecond: number };
    recordBatch?: { requestsPerSecond: number };
    timeline?: { first: { requestsPerSecond: number; p50Ms: number } };
    smartListCount?: Record<string, { api: { p50Ms: number } }>;
  };
  const sqlite: Record<string, unknown> = {};
  try {
    await hammer({
      url: server.url,
      key,
      connections: 8,
      seconds: 2,
      body: () => JSON.stringify({ query: '{ __typename }' }),
    });
    if (wanted('record')) {
      await recordLoad(server, 3);
      const record = await recordLoad(server, SECONDS);
      sqlite.record = record;
      report({
        scenario: 'SQLite: recordChatActivity ×64',
        metric: 'req/s',
        value: record.requestsPerSecond,
        baseline: 'MariaDB',
        baselineValue: maria.record?.requestsPerSecond,
        p99Ms: record.p99Ms,
        note: cpuNote(record.cpu),
      });
    }
    if (wanted('record-batch')) {
      const batch = await batchLoad(server);
      sqlite.recordBatch = batch;
      const mariaRows = maria.recordBatch ? maria.recordBatch.requestsPerSecond * 100 : undefined;
      report({
        scenario: 'SQLite: recordChatActivities of 100 ×4',
        metric: 'rows/s',
        value: batch.requestsPerSecond * 100,
        baseline: 'MariaDB',
        baselineValue: mariaRows,
        p99Ms: batch.p99Ms,
        note: cpuNote(batch.cpu, 'row', 100),
      });
    }
    if (!wanted('timeline') && !wanted('smart-list-count')) return;
    // The server keeps the file open (WAL); the bulk load writes beside it while it is idle.
    const db = new Database(file);
    try {
      db.pragma('busy_timeout = 10000');
      const { id: workspaceId } = db.prepare('SELECT id FROM workspace LIMIT 1').get() as { id: string };
      const t0 = Date.now();
      const seeded = await seedBulk(sqliteWriter(db), workspaceId, SEED_PEOPLE, SEED_ACTIVITIES);
      console.log(
        `SQLite: seeded ${seeded.people} people and ${seeded.activities} activities in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
      );
      if (wanted('timeline')) {
        const row = db
          .prepare(
            'SELECT occurred_at, id FROM activity WHERE person_id = ? ORDER BY occurred_at DESC, id DESC LIMIT 1 OFFSET ?',
          )
          .get(seeded.busiestPersonId, PAGE_1000_OFFSET) as { occurred_at: number; id: string };
        const { first, deep } = await timelineLoad(server, seeded.busiestPersonId, row);
        sqlite.timeline = { first, deep };
        report({
          scenario: 'SQLite: timeline page 1',
          metric: 'req/s',
          value: first.requestsPerSecond,
          baseline: 'MariaDB',
          baselineValue: maria.timeline?.first.requestsPerSecond,
          p99Ms: first.p99Ms,
          note: cpuNote(first.cpu),
        });
        report({
          scenario: 'SQLite: timeline page 1000 (cursor)',
          metric: 'p50 ms',
          value: deep.p50Ms,
          baseline: 'page 1 p50',
          baselineValue: first.p50Ms,
          p99Ms: deep.p99Ms,
        });
      }
      if (wanted('smart-list-count')) {
        const counts: Record<string, unknown> = {};
        for (const logic of ['ALL', 'ANY'] as const) {
          const { api } = await countMembers(server, logic, `bench ${logic}`);
          counts[logic] = api;
          report({
            scenario: `SQLite: smart-list memberCount, 3 filters ${logic}`,
            metric: 'p50 ms',
            value: api.p50Ms,
            baseline: 'MariaDB',
            baselineValue: maria.smartListCount?.[logic]?.api.p50Ms,
            note: `max ${api.maxMs.toFixed(1)} ms, ${api.last} members`,
          });
        }
        sqlite.smartListCount = counts;
      }
    } finally {
      db.close();
    }
  } finally {
    results.sqlite = sqlite;
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
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
    watchCpu('server', server.process.pid);
    watchCpu('MariaDB', findProcess(['mariadbd', 'mysqld']));
    // The buffer pool decides whether the 1M-activity scenarios read from memory or from disk: report it with the machine.
    const [[settings]] = (await pool.query(
      'SELECT VERSION() AS version, @@innodb_buffer_pool_size AS bufferPool, @@innodb_flush_log_at_trx_commit AS flush',
    )) as unknown as Array<Array<{ version: string; bufferPool: number | string; flush: number | string }>>;
    results.database = settings;
    console.log(
      `machine: ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${SECONDS} s per scenario; ` +
        `MariaDB ${settings.version}, innodb_buffer_pool_size ${Math.round(Number(settings.bufferPool) / 2 ** 20)} MiB, innodb_flush_log_at_trx_commit ${settings.flush}`,
    );

    // Warm-up: JIT, connection pools, prepared statements.
    await hammer({
      url: server.url,
      key,
      connections: 8,
      seconds: 2,
      body: () => JSON.stringify({ query: '{ __typename }' }),
    });

    const trivialLoad = () =>
      hammer({
        url: server!.url,
        key,
        connections: CONCURRENCY,
        seconds: SECONDS,
        body: () => '{"query":"{ __typename }"}',
      });
    /**
     * The trivial query again, right before a scenario compared with it: this machine's speed drifts by tens of
     * percent within a run (run I: the opening trivial load cost 556 µs of server CPU per request, 381-472 in other
     * runs), so a ratio against a baseline taken minutes earlier measures the drift as much as the scenario.
     */
    const trivialBefore = async (scenario: string) => {
      const adjacent = await trivialLoad();
      report({
        scenario: `trivial { __typename }, just before ${scenario}`,
        metric: 'req/s',
        value: adjacent.requestsPerSecond,
        p99Ms: adjacent.p99Ms,
        note: cpuNote(adjacent.cpu),
      });
      return adjacent;
    };
    const trivial = await trivialLoad();
    results.trivial = trivial;
    report({
      scenario: 'trivial { __typename }',
      metric: 'req/s',
      value: trivial.requestsPerSecond,
      p99Ms: trivial.p99Ms,
      note: cpuNote(trivial.cpu),
    });

    if (wanted('http-floor')) {
      // What the trivial query costs before the API's own code: the same answer through node:http, then Express,
      // its body parser, helmet and cors, and Apollo Server, one layer more per step (http-floor-server.js). The
      // machine drifts by tens of percent within minutes (run N2: the helmet step measured while it slowed), so the
      // steps and the API's own trivial query take turns, HTTP_FLOOR_ROUNDS rounds of shorter loads, and each
      // reports its median round (by server CPU per request).
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
          key,
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
      for (const [i, target] of targets.entries()) {
        const cpuRange = measured[i].map((run) => Math.round(run.cpu.server)).join(' / ');
        report({
          scenario: `HTTP floor: ${target.label}`,
          metric: 'req/s',
          value: medians[i].requestsPerSecond,
          ...(target === api
            ? {}
            : { baseline: "the API's trivial query", baselineValue: apiMedian.requestsPerSecond }),
          p99Ms: medians[i].p99Ms,
          note: `${cpuNote(medians[i].cpu)} (median of ${HTTP_FLOOR_ROUNDS} rounds of ${seconds} s; server per round ${cpuRange} µs)`,
        });
      }
    }

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

    if (wanted('record')) {
      // Warm-up: JIT, and the people of the 5 000 bench visitors (first visits cost a person and a visitor row each).
      await recordLoad(server, 3);
      const adjacent = await trivialBefore('recording');
      const record = await recordLoad(server, SECONDS);
      results.record = { ...record, trivialBefore: adjacent };
      report({
        scenario: 'recordChatActivity ×64',
        metric: 'req/s',
        value: record.requestsPerSecond,
        baseline: 'trivial just before',
        baselineValue: adjacent.requestsPerSecond,
        target: '≥ 0.5×',
        p99Ms: record.p99Ms,
        note: cpuNote(record.cpu),
      });
      report({
        scenario: 'recordChatActivity ×64',
        metric: 'rows/s',
        value: record.requestsPerSecond,
        baseline: 'raw single-row',
        baselineValue: raw.single,
        target: '≥ 0.5×, p99 ≤ 25 ms',
        p99Ms: record.p99Ms,
      });
    }

    if (wanted('record-campaigns')) {
      // The write path with 200 active campaigns that never fire: 100 on another activity type (skipped by the
      // trigger index) and 100 on the same type whose constraint does not match (checked in memory). The
      // baseline is plain recording measured just before, back to back, so warm-up does not skew the ratio.
      const plain = await recordLoad(server, SECONDS);
      const ids: string[] = [];
      for (let i = 0; i < 200; i += 1) {
        const trigger =
          i % 2
            ? { activity: 'TRIGGERED' }
            : { activity: 'GOAL_ACHIEVED', constraints: { goal: { is: [`never-${i}`] } } };
        const { data } = await gql(
          server.url,
          key,
          'mutation($input: CampaignInput!) { createCampaign(input: $input) { id } }',
          {
            input: {
              name: `bench-idle-${runId}-${i}`,
              triggers: [trigger],
              flow: [{ action: 'CHANGE_SCORE', scoreDelta: 1 }],
            },
          },
        );
        ids.push(data.createCampaign.id);
        await gql(server.url, key, 'mutation($id: ID!) { activateCampaign(id: $id) { id } }', {
          id: data.createCampaign.id,
        });
      }
      const withCampaigns = await recordLoad(server, SECONDS);
      for (const id of ids) await gql(server.url, key, 'mutation($id: ID!) { deleteCampaign(id: $id) }', { id });
      results.recordCampaigns = { plain, withCampaigns };
      report({
        scenario: 'recordChatActivity ×64, 200 idle campaigns',
        metric: 'req/s',
        value: withCampaigns.requestsPerSecond,
        baseline: 'just before, no campaigns',
        baselineValue: plain.requestsPerSecond,
        p99Ms: withCampaigns.p99Ms,
        note: `p99 without campaigns ${plain.p99Ms.toFixed(1)} ms`,
      });
    }

    if (wanted('record-batch')) {
      const batch = await batchLoad(server);
      results.recordBatch = batch;
      report({
        scenario: 'recordChatActivities of 100 ×4',
        metric: 'rows/s',
        value: batch.requestsPerSecond * 100,
        baseline: 'raw multi-row',
        baselineValue: raw.multi,
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
    }

    const [{ id: workspaceId }] = (await pool.query('SELECT id FROM workspace LIMIT 1'))[0] as Array<{ id: string }>;
    let seeding: Promise<SeedResult> | undefined;
    // The bulk load takes minutes at full size: done once, by the first scenario that needs it.
    const seed = () =>
      (seeding ??= (async () => {
        const t0 = Date.now();
        const seeded = await seedBulk(mysqlWriter(pool), workspaceId, SEED_PEOPLE, SEED_ACTIVITIES);
        console.log(
          `seeded ${seeded.people} people and ${seeded.activities} activities in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
        );
        results.seed = seeded;
        return seeded;
      })());

    // Before the seed and the listeners, so RSS grows from a quiet server.
    if (wanted('idle-sockets')) {
      const before = server.rssMiB();
      const sockets = await openIdleSockets(server.wsUrl, key, IDLE_SOCKETS);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const after = server.rssMiB();
      results.idleSockets = { count: sockets.length, rssBeforeMiB: before, rssAfterMiB: after };
      report({
        scenario: `${sockets.length} idle graphql-ws connections`,
        metric: 'server RSS MiB',
        value: after,
        baseline: 'RSS before',
        baselineValue: before,
      });
      for (const socket of sockets) socket.terminate();
    }

    if (wanted('timeline')) {
      const seeded = await seed();
      // The cursor of page 1000 of the busiest person, read straight from the table.
      const [[row]] = (await pool.query(
        'SELECT occurred_at, id FROM activity WHERE person_id = ? ORDER BY occurred_at DESC, id DESC LIMIT 1 OFFSET ?',
        [seeded.busiestPersonId, PAGE_1000_OFFSET],
      )) as unknown as Array<Array<{ occurred_at: number | string; id: string }>>;
      const adjacent = await trivialBefore('the timeline');
      const { first, deep } = await timelineLoad(server, seeded.busiestPersonId, row);
      results.timeline = { first, deep, trivialBefore: adjacent };
      report({
        scenario: `timeline page 1 (${SEED_ACTIVITIES / 1e6}M activities)`,
        metric: 'req/s',
        value: first.requestsPerSecond,
        baseline: 'trivial just before',
        baselineValue: adjacent.requestsPerSecond,
        target: '≥ 0.5×',
        p99Ms: first.p99Ms,
        note: cpuNote(first.cpu),
      });
      report({
        scenario: 'timeline page 1000 (cursor)',
        metric: 'p50 ms',
        value: deep.p50Ms,
        baseline: 'page 1 p50',
        baselineValue: first.p50Ms,
        target: '≤ 2×',
        p99Ms: deep.p99Ms,
      });
      report({
        scenario: 'timeline page 1000 (cursor)',
        metric: 'req/s',
        value: deep.requestsPerSecond,
        baseline: 'trivial just before page 1',
        baselineValue: adjacent.requestsPerSecond,
        target: '≥ 0.5×',
        p99Ms: deep.p99Ms,
        note: cpuNote(deep.cpu),
      });
    }

    if (wanted('smart-list-count')) {
      await seed();
      const dataSet = `${SEED_PEOPLE.toLocaleString('en')} people / ${SEED_ACTIVITIES.toLocaleString('en')} activities`;
      const smartLists: Record<string, unknown> = {};
      for (const logic of ['ALL', 'ANY'] as const) {
        const { id, api } = await countMembers(server, logic, `bench ${logic} ${runId}`);
        // The server's compiler on the stored definition, as one COUNT query (the server splits it SMART_LIST_COUNT_PARALLELISM ways).
        // Counts can differ by one or two: the 30-day windows move between the two measurements.
        const [[stored]] = (await pool.query('SELECT definition FROM smart_list WHERE id = ?', [
          id,
        ])) as unknown as Array<Array<{ definition: string }>>;
        const definition = restoreFilterSet(JSON.parse(stored.definition));
        const raw = await sequentially(SMART_LIST_RUNS, async () => {
          const condition = compileFilterSet(definition, { now: Date.now(), personId: 'p.id', mysql: true });
          const [[row]] = (await pool.query(
            `SELECT COUNT(*) AS n FROM person p WHERE p.workspace_id = ? AND ${condition.text}`,
            [workspaceId, ...condition.params],
          )) as unknown as Array<Array<{ n: number | string }>>;
          return Number(row.n);
        });
        smartLists[logic] = { id, api, raw };
        report({
          scenario: `smart-list memberCount, 3 filters ${logic} (${dataSet})`,
          metric: 'p50 ms',
          value: api.p50Ms,
          baseline: 'raw SQL, one query, p50',
          baselineValue: raw.p50Ms,
          target: '< 1000 ms',
          note: `max ${api.maxMs.toFixed(1)} ms (raw ${raw.maxMs.toFixed(1)}), ${api.last} members (raw ${raw.last}), ${SMART_LIST_RUNS} sequential runs`,
        });
      }
      results.smartListCount = smartLists;
    }

    if (wanted('campaign-listeners')) {
      // A goal only this run records: seeded and other scenarios' activities never trigger the campaign.
      const goal = `bench-campaign-${runId}`;
      const { data: created } = await gql(server.url, key, CREATE_CAMPAIGN, {
        input: {
          name: `bench listeners ${runId}`,
          triggers: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { is: [goal] } } }],
          flow: [{ action: 'CHANGE_SCORE', scoreDelta: 1 }],
        },
      });
      const campaignId = created.createCampaign.id as string;
      await gql(server.url, key, ACTIVATE_CAMPAIGN, { id: campaignId });
      const url = server.url;
      let recorded = 0;
      const recordRun: Fire = async () => {
        const { data, ms } = await gql(url, key, RECORD, { input: { ...recordInput(recorded++), goal } });
        if (data.recordChatActivity.outcome !== 'RECORDED')
          throw new Error(`campaign activity was ${data.recordChatActivity.outcome}`);
        return { activityId: data.recordChatActivity.activity.id as string, ms };
      };

      // The same mutation on the same campaign before anyone listens: the write, the run and its score change, without the fan-out.
      const alone = latencyStats((await paced(Math.min(CAMPAIGN_RUNS, 20), recordRun, server.rssMiB)).mutationMs);
      const real = await fanOut({ wsUrl: server.wsUrl, key, campaignId, fire: recordRun, rss: server.rssMiB });

      // The floor, measured right after with the same clients and the same paced trigger: a bare ws server sending a
      // captured run to every subscriber (raw-fanout-server.js), so the machine's own cost of 1 000 deliveries is known.
      const raw = await startRawFanout(real.sample);
      let rawRuns = 0;
      const floor = await fanOut({
        wsUrl: raw.wsUrl,
        key,
        campaignId,
        rss: raw.rssMiB,
        fire: async () => {
          const activityId = `raw-${(rawRuns += 1)}`;
          return { activityId, ...(await raw.fire(activityId)) };
        },
      }).finally(() => raw.stop());

      const { sample: _sample, ...measured } = real;
      const { sample: _floorSample, ...floorMeasured } = floor;
      results.campaignListeners = {
        listeners: LISTENERS,
        runs: CAMPAIGN_RUNS,
        alone,
        ...measured,
        floor: floorMeasured,
      };
      const scenario = `${LISTENERS} listeners on one campaign, ${CAMPAIGN_RUNS} runs`;
      report({
        scenario: `raw ws fan-out to ${LISTENERS} graphql-ws clients (floor)`,
        metric: 'trigger → delivery p99 ms',
        value: floor.delivery.p99Ms,
        p99Ms: floor.delivery.p99Ms,
        note: `p50 ${floor.delivery.p50Ms.toFixed(1)}, max ${floor.delivery.maxMs.toFixed(1)} ms; server RSS ${floor.rssListening} MiB listening`,
      });
      report({
        scenario,
        metric: 'trigger → delivery p99 ms',
        value: real.delivery.p99Ms,
        baseline: 'raw ws fan-out p99',
        baselineValue: floor.delivery.p99Ms,
        target: '≤ 100 ms',
        p99Ms: real.delivery.p99Ms,
        note: `p50 ${real.delivery.p50Ms.toFixed(1)} (floor ${floor.delivery.p50Ms.toFixed(1)}), max ${real.delivery.maxMs.toFixed(1)} ms over ${real.deliveries} deliveries; first listener of a run p50 ${real.firstListener.p50Ms.toFixed(1)} ms; slowest run: first listener ${real.slowest.firstMs.toFixed(1)}, last ${real.slowest.lastMs.toFixed(1)}, its mutation ${real.slowest.mutationMs.toFixed(1)} ms (${real.slowest.over100Ms} of ${CAMPAIGN_RUNS} runs over 100 ms); recordChatActivity p99 without listeners ${alone.p99Ms.toFixed(1)} ms`,
      });
      report({
        scenario,
        metric: 'recordChatActivity p50 ms',
        value: real.mutation.p50Ms,
        baseline: 'p50 without listeners',
        baselineValue: alone.p50Ms,
        p99Ms: real.mutation.p99Ms,
        note: `without listeners p99 ${alone.p99Ms.toFixed(1)} ms`,
      });
      report({
        scenario,
        metric: 'server RSS MiB',
        value: real.rssPeak,
        baseline: 'RSS before',
        baselineValue: real.rssBefore,
        note: `${real.rssListening} MiB listening, before the runs; connected in ${(real.connectedMs / 1000).toFixed(1)} s, all live after ${(real.liveMs / 1000).toFixed(1)} s (${real.warmUps} warm-up runs)`,
      });
    }
  } finally {
    await server?.stop();
    await pool.end();
    if (process.env.BENCH_KEEP_DB === '1') console.log(`kept database ${database}`);
    else await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
  }

  if (wanted('sqlite')) await sqliteReference();

  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'latest.json'),
    JSON.stringify({ at: new Date().toISOString(), seconds: SECONDS, rows, results }, null, 2),
  );
  console.log(
    '\n| Scenario | Metric | Value | Baseline | Ratio | Target | p99 ms | Notes |\n| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const row of rows) {
    const ratio = row.baselineValue ? (row.value / row.baselineValue).toFixed(2) : '';
    console.log(
      `| ${row.scenario} | ${row.metric} | ${row.value.toFixed(0)} | ${row.baseline ? `${row.baseline} ${row.baselineValue!.toFixed(0)}` : ''} | ${ratio} | ${row.target ?? ''} | ${row.p99Ms?.toFixed(1) ?? ''} | ${row.note ?? ''} |`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
