/**
 * Side-by-side comparison of server builds on one kept database: each build
 * (a directory holding a production build, dist/src/main.js) runs in its own
 * process, and the same load takes turns between them, so the machine's
 * drift and the other processes on it spread over every build alike. For
 * measuring one change at a time (BENCHMARKS.md, "Changes ... each measured").
 *
 *   AB_BUILDS=/tmp/build-a,/tmp/build-b   the builds (directories with dist/), in order
 *   AB_DATABASE_URL                      a database kept by BENCH_KEEP_DB=1 (seeded)
 *   AB_LOADS=trivial,timeline,timeline-deep   what takes turns (default all three)
 *   AB_ROUNDS (default 5), AB_SECONDS (default 4)
 *   AB_CPU_PROF=<dir>                    each server writes a V8 CPU profile there when it stops
 *
 * Prints, per build and load, the median rate and server CPU per request,
 * and the median of each round's ratio to the first build's run of that
 * round (the pairs are seconds apart, so the ratio survives the drift).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { CONCURRENCY } from './lib/config';
import { hammer, watchCpu, type HttpResult } from './lib/measure';
import { spawnListening, type ListeningProcess } from './lib/process';
import { BENCH_SERVER_ENV, START_FLAGS } from './lib/server';
import { timelineBody, TIMELINE_VERIFY } from './scenarios/timeline';

const BUILDS = (process.env.AB_BUILDS ?? '').split(',').filter(Boolean);
const DATABASE_URL = process.env.AB_DATABASE_URL ?? '';
const LOADS = (process.env.AB_LOADS ?? 'trivial,timeline,timeline-deep').split(',');
const ROUNDS = Number(process.env.AB_ROUNDS || 5);
const SECONDS = Number(process.env.AB_SECONDS || 4);
const PROFILE = process.env.AB_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.AB_CPU_PROF}`] : [];

interface Target {
  busiestPersonId: string;
  deepCursor: string;
}

/** The busiest person of the seeded data and the cursor of its page 1000, read from the kept database. */
async function target(key: string): Promise<Target> {
  const db = await createConnection(DATABASE_URL);
  try {
    const [[busiest]] = (await db.query(
      'SELECT person_id AS id FROM activity GROUP BY person_id ORDER BY COUNT(*) DESC LIMIT 1',
    )) as unknown as Array<Array<{ id: string }>>;
    const [[row]] = (await db.query(
      'SELECT occurred_at, id FROM activity WHERE person_id = ? ORDER BY occurred_at DESC, id DESC LIMIT 1 OFFSET 19979',
      [busiest.id],
    )) as unknown as Array<Array<{ occurred_at: number | string; id: string }>>;
    // A key of our own (all scopes) on the kept database's workspace.
    const [[workspace]] = (await db.query('SELECT id FROM workspace LIMIT 1')) as unknown as Array<
      Array<{ id: string }>
    >;
    await db.query(
      "INSERT INTO api_key (id, workspace_id, name, scopes, secret_hash, created_at) VALUES (?, ?, 'ab', ?, ?, ?)",
      [
        randomUUID(),
        workspace.id,
        'READ,RECORD,SUBSCRIBE,MANAGE',
        // As ApiKeyService stores a secret.
        createHash('sha256').update(key).digest('hex'),
        Date.now(),
      ],
    );
    return {
      busiestPersonId: busiest.id,
      deepCursor: Buffer.from(JSON.stringify([Number(row.occurred_at), row.id])).toString('base64url'),
    };
  } finally {
    await db.end();
  }
}

async function main(): Promise<void> {
  if (BUILDS.length === 0 || !DATABASE_URL) throw new Error('set AB_BUILDS and AB_DATABASE_URL (see bench/ab.ts)');
  const key = `dca_ab_${randomBytes(16).toString('hex')}`;
  const { busiestPersonId, deepCursor } = await target(key);
  const bodies: Record<string, () => string> = {
    trivial: () => '{"query":"{ __typename }"}',
    timeline: () => timelineBody(busiestPersonId, null),
    'timeline-deep': () => timelineBody(busiestPersonId, deepCursor),
  };
  const servers: ListeningProcess[] = [];
  try {
    for (const build of BUILDS)
      servers.push(
        await spawnListening(`server ${build}`, [...START_FLAGS, ...PROFILE, join(build, 'dist', 'src', 'main.js')], {
          cwd: build,
          env: { ...BENCH_SERVER_ENV, DATABASE_URL },
        }),
      );
    const load = (server: ListeningProcess, name: string, connections: number, seconds: number) =>
      hammer({
        url: `http://127.0.0.1:${server.port}/graphql`,
        key,
        connections,
        seconds,
        body: bodies[name],
        verify: name === 'trivial' ? (body) => body.includes('"__typename":"Query"') : TIMELINE_VERIFY,
      });
    for (const server of servers) for (const name of LOADS) await load(server, name, 8, 2);
    const measured = new Map<string, HttpResult[]>();
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const name of LOADS) {
        for (const [i, server] of servers.entries()) {
          watchCpu('server', server.child.pid);
          const result = await load(server, name, CONCURRENCY, SECONDS);
          const runs = measured.get(`${i} ${name}`) ?? [];
          runs.push(result);
          measured.set(`${i} ${name}`, runs);
        }
      }
    }
    const middle = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    for (const name of LOADS) {
      const base = measured.get(`0 ${name}`)!;
      for (const [i, build] of BUILDS.entries()) {
        const runs = measured.get(`${i} ${name}`)!;
        // Each round's ratio to the first build's run of the same round (taken right before it), then their median.
        const rate = middle(runs.map((run, r) => run.requestsPerSecond / base[r].requestsPerSecond));
        const cpu = middle(runs.map((run, r) => run.cpu.server / base[r].cpu.server));
        console.log(
          `${name} ${build}: median ${Math.round(middle(runs.map((r) => r.requestsPerSecond)))} req/s, ` +
            `${Math.round(middle(runs.map((r) => r.cpu.server)))} µs server CPU per request; ` +
            `against the first build, round by round: rate ×${rate.toFixed(2)}, CPU ×${cpu.toFixed(2)}; ` +
            `rounds ${runs.map((r) => Math.round(r.requestsPerSecond)).join(' / ')} req/s, ${runs.map((r) => Math.round(r.cpu.server)).join(' / ')} µs`,
        );
      }
    }
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
