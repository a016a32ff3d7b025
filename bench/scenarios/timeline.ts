import { CONCURRENCY, SECONDS, SEED_ACTIVITIES } from '../lib/config';
import { cpuNote, hammer } from '../lib/measure';
import type { Scenario } from '../lib/scenario';
import type { BenchServer } from '../lib/server';
import { trivialBefore } from './trivial';

const TIMELINE = `query($id: ID!, $after: String) { person(id: $id) { activities(first: 20, after: $after) {
  edges { cursor node { id type occurredAt chat { id name } ... on GoalAchievedActivity { goal } } } pageInfo { hasNextPage endCursor } } } }`;
/** A timeline request: page 1 with `after` null, a later page by its cursor. */
export const timelineBody = (personId: string, after: string | null): string =>
  JSON.stringify({ query: TIMELINE, variables: { id: personId, after } });

/** A page with edges and no errors. */
export const TIMELINE_VERIFY = (body: string): boolean => body.includes('"edges":[{') && !body.includes('"errors"');

const PAGE_1000_OFFSET = 19_979;
const PAGE_1000_ROW =
  'SELECT occurred_at, id FROM activity WHERE person_id = ? ORDER BY occurred_at DESC, id DESC LIMIT 1 OFFSET ?';

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
      body: () => timelineBody(personId, after),
      verify: TIMELINE_VERIFY,
    });
  const first = await load(null);
  // The cursor as the API encodes it.
  const deep = await load(
    Buffer.from(JSON.stringify([Number(page1000Row.occurred_at), page1000Row.id])).toString('base64url'),
  );
  return { first, deep };
}

/** The busiest seeded person's timeline, page 1 and page 1000 by cursor. */
export const timeline: Scenario = {
  name: 'timeline',
  needs: { seed: true },
  mariadb: async (pass) => {
    const seeded = pass.seeded();
    // The cursor of page 1000 of the busiest person, read straight from the table.
    const [[row]] = (await pass.pool.query(PAGE_1000_ROW, [
      seeded.busiestPersonId,
      PAGE_1000_OFFSET,
    ])) as unknown as Array<Array<{ occurred_at: number | string; id: string }>>;
    const adjacent = await trivialBefore(pass, 'the timeline');
    const { first, deep } = await timelineLoad(pass.server, seeded.busiestPersonId, row);
    pass.results.timeline = { first, deep, trivialBefore: adjacent };
    pass.report({
      scenario: `timeline page 1 (${SEED_ACTIVITIES / 1e6}M activities)`,
      metric: 'req/s',
      value: first.requestsPerSecond,
      baseline: 'trivial just before',
      baselineValue: adjacent.requestsPerSecond,
      target: '≥ 0.5×',
      p99Ms: first.p99Ms,
      note: cpuNote(first.cpu),
    });
    pass.report({
      scenario: 'timeline page 1000 (cursor)',
      metric: 'p50 ms',
      value: deep.p50Ms,
      baseline: 'page 1 p50',
      baselineValue: first.p50Ms,
      target: '≤ 1.5×',
      p99Ms: deep.p99Ms,
    });
    pass.report({
      scenario: 'timeline page 1000 (cursor)',
      metric: 'req/s',
      value: deep.requestsPerSecond,
      baseline: 'trivial just before page 1',
      baselineValue: adjacent.requestsPerSecond,
      target: '≥ 0.5×',
      p99Ms: deep.p99Ms,
      note: cpuNote(deep.cpu),
    });
  },
  sqlite: async ({ server, report, results, mariadb, seeded }) => {
    const { db, busiestPersonId } = seeded();
    const row = db.prepare(PAGE_1000_ROW).get(busiestPersonId, PAGE_1000_OFFSET) as { occurred_at: number; id: string };
    const { first, deep } = await timelineLoad(server, busiestPersonId, row);
    results.timeline = { first, deep };
    report({
      scenario: 'SQLite: timeline page 1',
      metric: 'req/s',
      value: first.requestsPerSecond,
      baseline: 'MariaDB',
      baselineValue: mariadb.timeline?.first.requestsPerSecond,
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
  },
};
