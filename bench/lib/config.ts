import { randomBytes } from 'node:crypto';

/** The bench's settings, read once from the environment (bench/run.ts lists them). */
export const SECONDS = Number(process.env.BENCH_SECONDS || 10);
export const MYSQL_URL = process.env.BENCH_MYSQL_URL || 'mysql://root@127.0.0.1:3306';
export const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
export const SEED_PEOPLE = Number(process.env.BENCH_PEOPLE || 100_000);
export const SEED_ACTIVITIES = Number(process.env.BENCH_ACTIVITIES || 1_000_000);
export const IDLE_SOCKETS = Number(process.env.BENCH_IDLE_SOCKETS || 10_000);
export const LISTENERS = Number(process.env.BENCH_LISTENERS || 1_000);
export const CAMPAIGN_RUNS = Number(process.env.BENCH_CAMPAIGN_RUNS || 50);
export const KEEP_DB = process.env.BENCH_KEEP_DB === '1';

/** Concurrent clients of the HTTP loads. */
export const CONCURRENCY = 64;

/** Names this run's database, keys, campaigns and client event ids, so runs never collide. */
export const RUN_ID = randomBytes(4).toString('hex');

/** Whether BENCH_ONLY selects `name` (everything when it is unset). */
export const wanted = (name: string): boolean => !ONLY || ONLY.includes(name);
