import { performance } from 'node:perf_hooks';
import { compileFilterSet } from '../../src/smart-list/filter.sql';
import { restoreFilterSet } from '../../src/smart-list/filter.parser';
import { rawIdOf } from '../../src/shared/global-id';
import { RUN_ID, SEED_ACTIVITIES, SEED_PEOPLE } from '../lib/config';
import { gql } from '../lib/graphql';
import { percentile } from '../lib/measure';
import type { Scenario } from '../lib/scenario';
import type { BenchServer } from '../lib/server';

const SMART_LIST_RUNS = 10;
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

/**
 * The mixed list: one activity filter (the first of SMART_LIST_FILTERS), a
 * person filter (seed.ts gives every third person an @example.com address)
 * and membership of a nested list (engaged in the last 30 days), ALL. Its
 * figure stands beside the three activity filters' ALL figure.
 */
const NESTED_LIST_FILTERS = [{ activity: 'ENGAGED', dateOfActivity: { inPast: { amount: 30, unit: 'DAYS' } } }];
const mixedFilters = (nestedId: string) => [
  SMART_LIST_FILTERS[0],
  { person: { emailDomain: 'example.com' } },
  { memberOfSmartList: { smartListId: nestedId } },
];

interface Sequential<T> {
  p50Ms: number;
  maxMs: number;
  last: T;
}

/** `runs` sequential calls after one untimed warm-up (query plans, buffer pool, JIT); returns the last answer. */
async function sequentially<T>(runs: number, task: () => Promise<T>): Promise<Sequential<T>> {
  let last = await task();
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    last = await task();
    times.push(performance.now() - started);
  }
  return { p50Ms: percentile(times, 0.5), maxMs: Math.max(...times), last };
}

const createList = async (server: BenchServer, input: Record<string, unknown>): Promise<string> =>
  (await gql<{ createSmartList: { id: string } }>(server.url, server.key, CREATE_SMART_LIST, { input })).data
    .createSmartList.id;

/** A smart list of SMART_LIST_FILTERS with `logic` (or `filters`), created through the API, and its memberCount asked in sequence. */
async function countMembers(
  server: BenchServer,
  logic: 'ALL' | 'ANY',
  name: string,
  filters: unknown[] = SMART_LIST_FILTERS,
) {
  const id = await createList(server, { name, logic, filters });
  const api = await sequentially(
    SMART_LIST_RUNS,
    async () =>
      (await gql<{ smartList: { memberCount: number } }>(server.url, server.key, MEMBER_COUNT, { id })).data.smartList
        .memberCount,
  );
  return { id, api };
}

/** memberCount of a 3-filter smart list, ALL and ANY, over the seeded data, against its one raw COUNT query. */
export const smartListCount: Scenario = {
  name: 'smart-list-count',
  needs: { seed: true },
  mariadb: async ({ server, pool, report, results, seeded }) => {
    const { workspaceId } = seeded();
    const dataSet = `${SEED_PEOPLE.toLocaleString('en')} people / ${SEED_ACTIVITIES.toLocaleString('en')} activities`;
    const smartLists: Record<string, { id: string; api: Sequential<number>; raw: Sequential<number> }> = {};
    for (const logic of ['ALL', 'ANY'] as const) {
      const { id, api } = await countMembers(server, logic, `bench ${logic} ${RUN_ID}`);
      // The server's compiler on the stored definition, as one COUNT query (the server splits it SMART_LIST_COUNT_PARALLELISM ways).
      // Counts can differ by one or two: the 30-day windows move between the two measurements.
      const [[stored]] = (await pool.query('SELECT definition FROM smart_list WHERE id = ?', [
        rawIdOf(id, 'SmartList'),
      ])) as unknown as Array<Array<{ definition: string }>>;
      const definition = restoreFilterSet(JSON.parse(stored.definition) as Parameters<typeof restoreFilterSet>[0]);
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
    const nested = await createList(server, { name: `bench nested ${RUN_ID}`, filters: NESTED_LIST_FILTERS });
    const mixed = await countMembers(server, 'ALL', `bench mixed ${RUN_ID}`, mixedFilters(nested));
    report({
      scenario: `smart-list memberCount, activity + person + member-of-list filters ALL (${dataSet})`,
      metric: 'p50 ms',
      value: mixed.api.p50Ms,
      baseline: '3 activity filters ALL, p50',
      baselineValue: smartLists.ALL.api.p50Ms,
      target: '< 1000 ms',
      note: `max ${mixed.api.maxMs.toFixed(1)} ms, ${mixed.api.last} members, the nested list inlined in the one query, ${SMART_LIST_RUNS} sequential runs`,
    });
    results.smartListCount = { ...smartLists, MIXED: mixed };
  },
  sqlite: async ({ server, report, results, mariadb }) => {
    const counts: Record<string, Sequential<number>> = {};
    for (const logic of ['ALL', 'ANY'] as const) {
      const { api } = await countMembers(server, logic, `bench ${logic}`);
      counts[logic] = api;
      report({
        scenario: `SQLite: smart-list memberCount, 3 filters ${logic}`,
        metric: 'p50 ms',
        value: api.p50Ms,
        baseline: 'MariaDB',
        baselineValue: mariadb.smartListCount?.[logic]?.api.p50Ms,
        note: `max ${api.maxMs.toFixed(1)} ms, ${api.last} members`,
      });
    }
    const nested = await createList(server, { name: 'bench nested', filters: NESTED_LIST_FILTERS });
    const { api: mixed } = await countMembers(server, 'ALL', 'bench mixed', mixedFilters(nested));
    report({
      scenario: 'SQLite: smart-list memberCount, activity + person + member-of-list filters ALL',
      metric: 'p50 ms',
      value: mixed.p50Ms,
      baseline: 'MariaDB',
      baselineValue: mariadb.smartListCount?.MIXED?.api.p50Ms,
      note: `max ${mixed.maxMs.toFixed(1)} ms, ${mixed.last} members; SQLite's 3 activity filters ALL: ${counts.ALL.p50Ms.toFixed(1)} ms`,
    });
    results.smartListCount = { ...counts, MIXED: mixed };
  },
};
