/**
 * npm run bench: measures the real server (production build, one process) on
 * MariaDB against baselines taken in the same run, and prints a Markdown
 * report (also written to bench/results/latest.json). Targets are in
 * BENCHMARKS.md. Each scenario is a file in bench/scenarios/; this runner
 * sets up what they need and runs them in the order of SCENARIOS.
 *
 * Environment: BENCH_SECONDS (default 10), BENCH_MYSQL_URL (default
 * mysql://root@127.0.0.1:3306), BENCH_ONLY (comma-separated scenario names:
 * http-floor, record, record-campaigns, record-batch, idle-sockets, timeline,
 * smart-list-count, campaign-listeners, scale-out; sqlite: the selected record,
 * record-batch, timeline and smart-list-count scenarios again on embedded
 * SQLite, for reference; the baselines trivial and raw-insert always run),
 * BENCH_PEOPLE / BENCH_ACTIVITIES (the seeded data set), BENCH_IDLE_SOCKETS,
 * BENCH_LISTENERS, BENCH_CAMPAIGN_RUNS, BENCH_SCALE_INSTANCES (scale-out: 1 to N
 * instances, default 3); BENCH_KEEP_DB=1 leaves the database
 * (and its seeded data) in place for EXPLAIN and experiments;
 * BENCH_CPU_PROF=<dir> has the server write a V8 CPU profile there.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createConnection, createPool, type Pool } from 'mysql2/promise';
import { CONCURRENCY, KEEP_DB, MYSQL_URL, RUN_ID, SECONDS, SEED_ACTIVITIES, SEED_PEOPLE, wanted } from './lib/config';
import { findProcess, hammer, watchCpu } from './lib/measure';
import { Report } from './lib/report';
import type { MariaDbPass, Scenario, Seeded, SqlitePass } from './lib/scenario';
import { mysqlWriter, seedBulk, sqliteWriter, type BulkWriter, type SeedResult } from './lib/seed';
import { startBenchServer, type BenchServer } from './lib/server';
import { campaignListeners } from './scenarios/campaign-listeners';
import { httpFloor } from './scenarios/http-floor';
import { idleSockets } from './scenarios/idle-sockets';
import { rawInsert } from './scenarios/raw-insert';
import { record } from './scenarios/record';
import { recordBatch } from './scenarios/record-batch';
import { recordCampaigns } from './scenarios/record-campaigns';
import { scaleOut } from './scenarios/scale-out';
import { smartListCount } from './scenarios/smart-list-count';
import { timeline } from './scenarios/timeline';
import { trivial } from './scenarios/trivial';

/** In the order they run. idle-sockets comes before the seed and the listeners, so RSS grows from a quiet server. */
const SCENARIOS: Scenario[] = [
  trivial,
  httpFloor,
  rawInsert,
  record,
  recordCampaigns,
  recordBatch,
  idleSockets,
  timeline,
  smartListCount,
  campaignListeners,
  scaleOut,
];

/** JIT, connection pools, prepared statements: a short trivial load before anything is measured. */
const warmUp = (server: BenchServer) =>
  hammer({
    url: server.url,
    key: server.key,
    connections: 8,
    seconds: 2,
    body: () => JSON.stringify({ query: '{ __typename }' }),
  });

/** Bulk-loads BENCH_PEOPLE people and BENCH_ACTIVITIES activities into the bootstrap workspace. */
async function seed(label: string, writer: BulkWriter, workspaceId: string): Promise<SeedResult> {
  const t0 = Date.now();
  const seeded = await seedBulk(writer, workspaceId, SEED_PEOPLE, SEED_ACTIVITIES);
  console.log(
    `${label}seeded ${seeded.people} people and ${seeded.activities} activities in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  return seeded;
}

const notSeeded = (scenario: Scenario): never => {
  throw new Error(`scenario ${scenario.name} reads the seeded data without declaring needs.seed`);
};

/** A fresh MariaDB database, the server on it, and the scenarios in order; the database is dropped afterwards. */
async function onMariaDb(report: Report, scenarios: Scenario[]): Promise<void> {
  const database = `dca_bench_${RUN_ID}`;
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
    report.results.database = settings;
    console.log(
      `machine: ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${SECONDS} s per scenario; ` +
        `MariaDB ${settings.version}, innodb_buffer_pool_size ${Math.round(Number(settings.bufferPool) / 2 ** 20)} MiB, innodb_flush_log_at_trx_commit ${settings.flush}`,
    );
    await warmUp(server);

    let seeded: Seeded | undefined;
    for (const scenario of scenarios) {
      // The bulk load takes minutes at full size: done once, for the first scenario that needs it.
      if (scenario.needs?.seed && !seeded) {
        const workspaceId = await workspaceOf(pool);
        const data = await seed('', mysqlWriter(pool), workspaceId);
        report.results.seed = data;
        seeded = { ...data, workspaceId };
      }
      const pass: MariaDbPass = {
        server,
        pool,
        databaseUrl: url.toString(),
        results: report.results,
        report: (row) => report.add(row),
        seeded: () => seeded ?? notSeeded(scenario),
      };
      await scenario.mariadb(pass);
    }
  } finally {
    await server?.stop();
    await pool.end();
    if (KEEP_DB) console.log(`kept database ${database}`);
    else await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
  }
}

async function workspaceOf(pool: Pool): Promise<string> {
  const [[{ id }]] = (await pool.query('SELECT id FROM workspace LIMIT 1')) as unknown as Array<Array<{ id: string }>>;
  return id;
}

/**
 * The same server on embedded SQLite (what `npm start` runs), for reference: the selected scenarios that make sense
 * on one file, each compared with MariaDB's figure from earlier in this run.
 */
async function onSqlite(report: Report, scenarios: Scenario[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dca-bench-sqlite-'));
  const file = join(dir, 'bench.sqlite');
  const key = `dca_bench_${randomBytes(16).toString('hex')}`;
  const server = await startBenchServer({ DATABASE_URL: `sqlite:${file}`, BOOTSTRAP_API_KEY: key });
  // SQLite runs inside the server process, so its CPU is the server's.
  watchCpu('server', server.process.pid);
  watchCpu('MariaDB', undefined);
  const results: Record<string, unknown> = {};
  let db: Database.Database | undefined;
  let seeded: (Seeded & { db: Database.Database }) | undefined;
  try {
    await warmUp(server);
    for (const scenario of scenarios) {
      if (!scenario.sqlite) continue;
      if (scenario.needs?.seed && !seeded) {
        // The server keeps the file open (WAL); the bulk load writes beside it while it is idle.
        db = new Database(file);
        db.pragma('busy_timeout = 10000');
        const { id: workspaceId } = db.prepare('SELECT id FROM workspace LIMIT 1').get() as { id: string };
        seeded = { ...(await seed('SQLite: ', sqliteWriter(db), workspaceId)), workspaceId, db };
      }
      const pass: SqlitePass = {
        server,
        results,
        mariadb: report.results,
        report: (row) => report.add(row),
        seeded: () => seeded ?? notSeeded(scenario),
      };
      await scenario.sqlite(pass);
    }
  } finally {
    db?.close();
    report.results.sqlite = results;
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const scenarios = SCENARIOS.filter((scenario) => scenario.always || wanted(scenario.name));
  const report = new Report();
  await onMariaDb(report, scenarios);
  if (wanted('sqlite')) await onSqlite(report, scenarios);
  report.write(join(__dirname, 'results'), SECONDS);
  report.printTable();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
