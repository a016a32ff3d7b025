import type BetterSqlite3 from 'better-sqlite3';
import type { Pool } from 'mysql2/promise';
import type { CpuPerOp, HttpResult } from './measure';
import type { Row } from './report';
import type { SeedResult } from './seed';
import type { BenchServer } from './server';

/** The data set of BENCH_PEOPLE people and BENCH_ACTIVITIES activities, bulk-loaded into a pass's database. */
export interface Seeded extends SeedResult {
  workspaceId: string;
}

/** The raw mysql2 INSERT rates the recording scenarios are compared with. */
export interface RawInsertBaselines {
  single: number;
  singleP99: number;
  singleCpu: CpuPerOp;
  multi: number;
  multiCpu: CpuPerOp;
}

/**
 * What the MariaDB pass measured, as latest.json keeps it. The figures later scenarios and the SQLite pass compare
 * with are typed; the rest is written as it is.
 */
export interface Results {
  [name: string]: unknown;
  raw?: RawInsertBaselines;
  record?: HttpResult & { trivialBefore: HttpResult };
  recordBatch?: HttpResult;
  timeline?: { first: HttpResult; deep: HttpResult; trivialBefore: HttpResult };
  smartListCount?: Record<string, { api: { p50Ms: number } }>;
}

/** A pass: the production server on one database, and where its rows and results go. */
interface Pass<Data> {
  server: BenchServer;
  report: (row: Row) => void;
  /** The seeded data set; there for scenarios that declare `needs.seed`. */
  seeded: () => Data;
}

/** The measured pass: the server on a fresh MariaDB database, which `pool` reaches directly for raw baselines. */
export interface MariaDbPass extends Pass<Seeded> {
  pool: Pool;
  /** The pass's database, for scenarios that start servers of their own on it. */
  databaseUrl: string;
  /** latest.json's `results`. */
  results: Results;
}

/** The reference pass (BENCH_ONLY=sqlite): the server on embedded SQLite, the file open beside it once seeded. */
export interface SqlitePass extends Pass<Seeded & { db: BetterSqlite3.Database }> {
  /** latest.json's `results.sqlite`. */
  results: Record<string, unknown>;
  /** The MariaDB pass's results from earlier in this run, each SQLite figure's baseline. */
  mariadb: Results;
}

/** One scenario of bench/run.ts, in its own file under bench/scenarios/. */
export interface Scenario {
  /** The name BENCH_ONLY selects it by. */
  name: string;
  /** A baseline other scenarios are compared with: runs whatever BENCH_ONLY selects. */
  always?: boolean;
  /** The runner seeds the pass's database (once per pass) before the first scenario that needs it. */
  needs?: { seed?: boolean };
  /** The measurement on MariaDB. */
  mariadb: (pass: MariaDbPass) => Promise<void>;
  /** The same measurement again on SQLite, for reference, when BENCH_ONLY selects `sqlite` too. */
  sqlite?: (pass: SqlitePass) => Promise<void>;
}
