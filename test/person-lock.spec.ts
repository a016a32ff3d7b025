import type { Logger } from 'typeorm';
import { activeCampaign, goal, runCount, unique } from './helpers/campaign-fixtures';
import { record, RECORD_MANY } from './helpers/record';
import { databaseKind } from './helpers/database';
import { startTestServer, type TestServer } from './helpers/server';

// On MySQL the write path locks the people of a batch (SELECT … FOR UPDATE, in id order) before inserting, so that
// transactions whose campaigns then change those people's scores queue instead of deadlocking. The lock costs a round
// trip and about a tenth of MariaDB's work per batch row, so it is taken only when an activity of the batch triggers
// an active campaign with a CHANGE_SCORE step whose conditions it meets.
(databaseKind() === 'mysql' ? describe : describe.skip)('person locks on the write path (MySQL/MariaDB)', () => {
  let server: TestServer;
  let statements: string[] = [];
  let failures: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    const logger = server.app.dataSource.logger;
    const spy: Logger = Object.create(logger);
    spy.logQuery = (query, parameters, queryRunner) => {
      statements.push(query);
      return logger.logQuery(query, parameters, queryRunner);
    };
    spy.logQueryError = (error, query, parameters, queryRunner) => {
      failures.push(typeof error === 'string' ? error : ((error as { code?: string }).code ?? error.message));
      return logger.logQueryError(error, query, parameters, queryRunner);
    };
    Object.defineProperty(server.app.dataSource, 'logger', { value: spy });
  });
  afterAll(() => server.stop());

  let key: string;
  beforeEach(async () => {
    ({ adminKey: key } = await server.createWorkspace());
    statements = [];
    failures = [];
  });

  const personLocks = () => statements.filter((sql) => /FROM person\b[\s\S]*FOR UPDATE/.test(sql)).length;

  it('are not taken unless an activity of the batch can make a campaign change a score', async () => {
    await record(server, goal(unique('visitor')), key);
    expect(statements.some((sql) => sql.startsWith('INSERT IGNORE INTO activity'))).toBe(true);
    expect(personLocks()).toBe(0);

    // A campaign of the type whose flow does not change the person; scoring ones that this activity cannot make
    // change a score: triggered by another type, by another goal, or with a step condition it does not meet.
    const moment = await activeCampaign(
      server,
      { flow: [{ action: 'INTERESTING_MOMENT', description: 'Reached a goal' }] },
      key,
    );
    await activeCampaign(
      server,
      { triggers: [{ activity: 'ENGAGED' }], flow: [{ action: 'CHANGE_SCORE', scoreDelta: 1 }] },
      key,
    );
    await activeCampaign(
      server,
      {
        triggers: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { is: ['other'] } } }],
        flow: [{ action: 'CHANGE_SCORE', scoreDelta: 1 }],
      },
      key,
    );
    await activeCampaign(
      server,
      { flow: [{ action: 'CHANGE_SCORE', scoreDelta: 1, conditions: [{ chat: { is: ['another-chat'] } }] }] },
      key,
    );
    statements = [];
    const { activity } = await record(server, goal(unique('visitor')), key);
    expect(await runCount(server, moment, activity.person.id)).toBe(1);
    expect(activity.person.score).toBe(0);
    expect(personLocks()).toBe(0);

    // One activity of a batch that does meet them is enough.
    statements = [];
    const res = await server.gql(
      RECORD_MANY,
      { inputs: [goal(unique('visitor')), goal(unique('visitor'), 'other')] },
      key,
    );
    expect(
      res.data.recordChatActivities.map(
        (item: { payload: { activity: { person: { score: number } } } }) => item.payload.activity.person.score,
      ),
    ).toEqual([0, 1]);
    expect(personLocks()).toBe(1);
  });

  it('are taken before the insert when an active campaign of the type changes scores', async () => {
    await activeCampaign(server, { flow: [{ action: 'CHANGE_SCORE', scoreDelta: 3 }] }, key);
    statements = [];
    const { activity } = await record(server, goal(unique('visitor')), key);
    expect(activity.person.score).toBe(3);
    const lock = statements.findIndex((sql) => /FROM person\b[\s\S]*FOR UPDATE/.test(sql));
    const insert = statements.findIndex((sql) => sql.startsWith('INSERT IGNORE INTO activity'));
    expect(lock).toBeGreaterThanOrEqual(0);
    expect(lock).toBeLessThan(insert);
  });

  it('make concurrent score changes of one person queue instead of deadlocking', async () => {
    await activeCampaign(server, { flow: [{ action: 'CHANGE_SCORE', scoreDelta: 1 }] }, key);
    const visitor = unique('visitor');
    const { activity } = await record(server, goal(visitor), key);
    // Batches rather than single calls: each is its own transaction, all for the same person.
    const results = await Promise.all(
      Array.from({ length: 8 }, () => server.gql(RECORD_MANY, { inputs: [goal(visitor), goal(visitor)] }, key)),
    );
    expect(results.flatMap((res) => res.errors ?? [])).toEqual([]);
    const outcomes = results.flatMap((res) =>
      res.data.recordChatActivities.map((item: { payload: { outcome: string } | null }) => item.payload?.outcome),
    );
    expect(outcomes).toEqual(Array(16).fill('RECORDED'));
    // A deadlock victim would be retried and succeed (inTransaction), so look for the deadlocks themselves.
    expect(failures).toEqual([]);
    const score = await server.gql(`query($id: ID!) { person(id: $id) { score } }`, { id: activity.person.id }, key);
    expect(score.data.person.score).toBe(17);
  });
});
