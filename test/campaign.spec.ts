import { rawOf } from './helpers/ids';
import {
  ACTIVATE,
  chat,
  activeCampaign,
  campaignInput,
  CREATE_CAMPAIGN,
  DEACTIVATE,
  DELETE_CAMPAIGN,
  GET_CAMPAIGN,
  goal,
  LIST_CAMPAIGNS,
  runCount,
  unique,
  UPDATE_CAMPAIGN,
} from './helpers/campaign-fixtures';
import { record, RECORD_MANY } from './helpers/record';
import { startTestServer, type TestServer } from './helpers/server';
import type { CampaignInput } from '../src/campaign/campaign.input';
import { moveCampaignRuns } from '../src/campaign/campaign-merge';
import { inTransaction } from '../src/db/transaction';

describe('campaigns', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  // A workspace per test: campaigns of one test never fire on another test's activities.
  let key: string;
  let workspaceId: string;
  beforeEach(async () => {
    ({ adminKey: key, workspaceId } = await server.createWorkspace(unique('workspace')));
  });
  const gql = (query: string, variables?: Record<string, unknown>, k?: string) =>
    server.gql(query, variables, k ?? key);
  const rec = (input: Record<string, unknown>, k?: string) => record(server, input, k ?? key);
  const active = (overrides: Record<string, unknown> = {}, k?: string) => activeCampaign(server, overrides, k ?? key);

  const campaignCount = async () =>
    Number((await server.app.dataSource.query('SELECT COUNT(*) AS n FROM campaign'))[0].n);
  const scoreOf = async (personId: string) =>
    Number((await server.app.dataSource.query('SELECT score FROM person WHERE id = ?', [rawOf(personId)]))[0].score);

  describe('definitions', () => {
    it('creates an inactive campaign with defaults, activates, updates, deactivates and deletes it', async () => {
      const created = await gql(CREATE_CAMPAIGN, {
        input: campaignInput({
          name: 'Demo requests',
          description: 'Scores demo requests',
          triggers: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { is: ['demo'] } } }, { activity: 'TRIGGERED' }],
          flow: [
            { action: 'CHANGE_SCORE', scoreDelta: 10, conditions: [{ chat: { is: ['chat-1'] } }] },
            { action: 'WEBHOOK', webhookUrl: 'https://example.com/hook' },
          ],
        }),
      });
      expect(created.errors).toBeUndefined();
      const campaign = created.data.createCampaign;
      expect(campaign).toMatchObject({
        name: 'Demo requests',
        description: 'Scores demo requests',
        active: false,
        filterLogic: 'ALL',
        advancedLogic: null,
        filters: [],
        qualification: { kind: 'EACH_TIME', interval: null },
        triggers: [
          { activity: 'GOAL_ACHIEVED', constraints: { goal: { is: ['demo'] } } },
          { activity: 'TRIGGERED', constraints: { chatKind: null, chat: null, goal: null } },
        ],
        flow: [
          {
            position: 1,
            action: 'CHANGE_SCORE',
            scoreDelta: 10,
            description: null,
            webhookUrl: null,
            conditions: [{ chat: { is: ['chat-1'] } }],
          },
          { position: 2, action: 'WEBHOOK', scoreDelta: null, webhookUrl: 'https://example.com/hook', conditions: [] },
        ],
      });

      expect((await gql(ACTIVATE, { id: campaign.id })).data.activateCampaign.active).toBe(true);
      const updated = await gql(UPDATE_CAMPAIGN, {
        id: campaign.id,
        input: campaignInput({
          name: 'Renamed',
          qualification: { kind: 'ONCE_EVERY', interval: { amount: 2, unit: 'DAYS' } },
        }),
      });
      expect(updated.errors).toBeUndefined();
      expect(updated.data.updateCampaign).toMatchObject({
        name: 'Renamed',
        active: true,
        qualification: { kind: 'ONCE_EVERY', interval: { amount: 2, unit: 'DAYS' } },
      });
      const triggers = await server.app.dataSource.query(
        'SELECT activity_type FROM campaign_trigger WHERE campaign_id = ?',
        [rawOf(campaign.id)],
      );
      expect(triggers.map((t: any) => t.activity_type)).toEqual(['GOAL_ACHIEVED']);

      expect((await gql(DEACTIVATE, { id: campaign.id })).data.deactivateCampaign.active).toBe(false);
      expect((await gql(DELETE_CAMPAIGN, { id: campaign.id })).data.deleteCampaign).toBe(true);
      expect((await gql(GET_CAMPAIGN, { id: campaign.id })).data.campaign).toBeNull();
      expect((await gql(DELETE_CAMPAIGN, { id: campaign.id })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
    });

    it('lists campaigns newest first with keyset pagination', async () => {
      const ws = { adminKey: key };
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1)
        ids.push((await gql(CREATE_CAMPAIGN, { input: campaignInput() }, ws.adminKey)).data.createCampaign.id);
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: any = await gql(LIST_CAMPAIGNS, { first: 2, after }, ws.adminKey);
        expect(page.errors).toBeUndefined();
        seen.push(...page.data.campaigns.edges.map((e: any) => e.node.id));
        if (!page.data.campaigns.pageInfo.hasNextPage) break;
        after = page.data.campaigns.pageInfo.endCursor;
      }
      expect(seen).toEqual([...ids].reverse());
    });

    const invalid: Array<[string, Record<string, unknown>, string[]]> = [
      ['no triggers', { triggers: [] }, ['input', 'triggers']],
      [
        '11 triggers',
        { triggers: Array.from({ length: 11 }, () => ({ activity: 'GOAL_ACHIEVED' })) },
        ['input', 'triggers'],
      ],
      [
        'a constraint of another activity type',
        { triggers: [{ activity: 'TRIGGERED', constraints: { goal: { is: ['x'] } } }] },
        ['input', 'triggers', '0', 'constraints', 'goal'],
      ],
      ['an empty name', { name: '' }, ['input', 'name']],
      [
        'ONCE_EVERY without interval',
        { qualification: { kind: 'ONCE_EVERY' } },
        ['input', 'qualification', 'interval'],
      ],
      [
        'ONCE with an interval',
        { qualification: { kind: 'ONCE', interval: { amount: 1, unit: 'DAYS' } } },
        ['input', 'qualification', 'interval'],
      ],
      ['CHANGE_SCORE without scoreDelta', { flow: [{ action: 'CHANGE_SCORE' }] }, ['input', 'flow', '0', 'scoreDelta']],
      [
        'CHANGE_SCORE of zero',
        { flow: [{ action: 'CHANGE_SCORE', scoreDelta: 0 }] },
        ['input', 'flow', '0', 'scoreDelta'],
      ],
      [
        'CHANGE_SCORE too large',
        { flow: [{ action: 'CHANGE_SCORE', scoreDelta: 2_000_000 }] },
        ['input', 'flow', '0', 'scoreDelta'],
      ],
      [
        'CHANGE_SCORE with a description',
        { flow: [{ action: 'CHANGE_SCORE', scoreDelta: 1, description: 'x' }] },
        ['input', 'flow', '0', 'description'],
      ],
      [
        'INTERESTING_MOMENT without description',
        { flow: [{ action: 'INTERESTING_MOMENT' }] },
        ['input', 'flow', '0', 'description'],
      ],
      [
        'a too long description',
        { flow: [{ action: 'INTERESTING_MOMENT', description: 'x'.repeat(1025) }] },
        ['input', 'flow', '0', 'description'],
      ],
      [
        'WEBHOOK with an ftp url',
        { flow: [{ action: 'WEBHOOK', webhookUrl: 'ftp://example.com/x' }] },
        ['input', 'flow', '0', 'webhookUrl'],
      ],
      [
        'WEBHOOK with credentials in the URL',
        { flow: [{ action: 'WEBHOOK', webhookUrl: 'https://user:secret@example.com/hook' }] },
        ['input', 'flow', '0', 'webhookUrl'],
      ],
      [
        'WEBHOOK with a too long URL',
        { flow: [{ action: 'WEBHOOK', webhookUrl: `https://example.com/${'x'.repeat(2040)}` }] },
        ['input', 'flow', '0', 'webhookUrl'],
      ],
      [
        'WEBHOOK with scoreDelta',
        { flow: [{ action: 'WEBHOOK', webhookUrl: 'https://example.com', scoreDelta: 3 }] },
        ['input', 'flow', '0', 'scoreDelta'],
      ],
      [
        '26 flow steps',
        { flow: Array.from({ length: 26 }, () => ({ action: 'CHANGE_SCORE', scoreDelta: 1 })) },
        ['input', 'flow'],
      ],
      [
        'a step condition valid for no trigger',
        { flow: [{ action: 'CHANGE_SCORE', scoreDelta: 1, conditions: [{ document: { is: ['d'] } }] }] },
        ['input', 'flow', '0', 'conditions', '0', 'document'],
      ],
      [
        'a filter with a constraint of another type',
        { filters: [{ activity: 'TRIGGERED', constraints: { goal: { is: ['x'] } } }] },
        ['input', 'filters', '0', 'constraints', 'goal'],
      ],
    ];
    it.each(invalid)('rejects %s with the field path and stores nothing', async (_name, overrides, field) => {
      const before = await campaignCount();
      const res = await gql(CREATE_CAMPAIGN, { input: campaignInput(overrides) });
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].extensions?.field).toEqual(field);
      expect(await campaignCount()).toBe(before);
    });

    it('requires MANAGE to change and READ to read, and keeps workspaces apart', async () => {
      const readKey = await server.createKey(workspaceId, ['READ']);
      const recordKey = await server.createKey(workspaceId, ['RECORD']);
      expect((await gql(CREATE_CAMPAIGN, { input: campaignInput() }, readKey)).errors?.[0].extensions?.code).toBe(
        'FORBIDDEN',
      );
      const id = await active();
      expect((await gql(DEACTIVATE, { id }, readKey)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await gql(GET_CAMPAIGN, { id }, recordKey)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await gql(GET_CAMPAIGN, { id }, readKey)).data.campaign.id).toBe(id);

      const other = await server.createWorkspace('Other');
      expect((await gql(GET_CAMPAIGN, { id }, other.adminKey)).data.campaign).toBeNull();
      for (const mutation of [ACTIVATE, DEACTIVATE, DELETE_CAMPAIGN]) {
        expect((await gql(mutation, { id }, other.adminKey)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
      }
      expect(
        (await gql(UPDATE_CAMPAIGN, { id, input: campaignInput() }, other.adminKey)).errors?.[0].extensions?.code,
      ).toBe('NOT_FOUND');
      expect(
        (await gql(LIST_CAMPAIGNS, {}, other.adminKey)).data.campaigns.edges.map((e: any) => e.node.id),
      ).not.toContain(id);
      // An activity of the other workspace never runs this workspace's campaign.
      await rec(goal(unique('visitor')), other.adminKey);
      expect(await runCount(server, id)).toBe(0);
    });
  });

  describe('triggers and qualification', () => {
    it('EACH_TIME runs for every matching activity; constraints and inactive campaigns do not', async () => {
      const id = await active({ triggers: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { is: ['Demo'] } } }] });
      const inactive = (await gql(CREATE_CAMPAIGN, { input: campaignInput() })).data.createCampaign.id;
      const visitor = unique('visitor');
      for (let i = 0; i < 3; i += 1) await rec(goal(visitor, 'demo'));
      await rec(goal(visitor, 'pricing'));
      expect(await runCount(server, id)).toBe(3);
      expect(await runCount(server, inactive)).toBe(0);

      const page = await gql(GET_CAMPAIGN, { id, first: 2 });
      expect(page.errors).toBeUndefined();
      const { edges, pageInfo } = page.data.campaign.runs;
      expect(edges).toHaveLength(2);
      expect(pageInfo.hasNextPage).toBe(true);
      expect(edges[0].node.activity.type).toBe('GOAL_ACHIEVED');
      const next = await gql(GET_CAMPAIGN, { id, first: 2, after: pageInfo.endCursor });
      const all = [...edges, ...next.data.campaign.runs.edges];
      expect(all).toHaveLength(3);
      expect(next.data.campaign.runs.pageInfo.hasNextPage).toBe(false);
      // Newest first, and all distinct.
      const times = all.map((e: any) => e.node.triggeredAt);
      expect([...times].sort().reverse()).toEqual(times);
      expect(new Set(all.map((e: any) => e.node.id)).size).toBe(3);
    });

    it('a changed definition applies from the next activity on (parsed definitions are cached by version)', async () => {
      const trigger = (goalName: string) => ({
        triggers: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { is: [goalName] } } }],
      });
      const id = await active(trigger('a'));
      const visitor = unique('visitor');
      await rec(goal(visitor, 'a'));
      expect(await runCount(server, id)).toBe(1);
      // Back to back, possibly within one millisecond: the version still moves forward each time.
      await server.app.services.campaigns.update(workspaceId, rawOf(id), campaignInput(trigger('b')) as CampaignInput);
      await server.app.services.campaigns.update(workspaceId, rawOf(id), campaignInput(trigger('c')) as CampaignInput);
      const [{ updated_at: v1 }] = await server.app.dataSource.query('SELECT updated_at FROM campaign WHERE id = ?', [
        rawOf(id),
      ]);
      await server.app.services.campaigns.update(workspaceId, rawOf(id), campaignInput(trigger('c')) as CampaignInput);
      const [{ updated_at: v2 }] = await server.app.dataSource.query('SELECT updated_at FROM campaign WHERE id = ?', [
        rawOf(id),
      ]);
      expect(Number(v2)).toBeGreaterThan(Number(v1));
      await rec(goal(visitor, 'a'));
      await rec(goal(visitor, 'b'));
      expect(await runCount(server, id)).toBe(1);
      await rec(goal(visitor, 'c'));
      expect(await runCount(server, id)).toBe(2);
      await gql(DEACTIVATE, { id });
      await rec(goal(visitor, 'c'));
      expect(await runCount(server, id)).toBe(2);
      await gql(ACTIVATE, { id });
      await rec(goal(visitor, 'c'));
      expect(await runCount(server, id)).toBe(3);
    });

    it('does not run on DUPLICATE_REQUEST or ALREADY_LOGGED_IN_SESSION', async () => {
      const id = await active({ triggers: [{ activity: 'TRIGGERED' }, { activity: 'GOAL_ACHIEVED' }] });
      const visitor = unique('visitor');
      const triggered = {
        type: 'TRIGGERED',
        visitorId: visitor,
        sessionId: 's1',
        chat: { kind: 'DIALOGUE', id: 'c', name: 'C' },
      };
      expect((await rec(triggered)).outcome).toBe('RECORDED');
      expect((await rec(triggered)).outcome).toBe('ALREADY_LOGGED_IN_SESSION');
      const withKey = goal(visitor, 'demo', { clientEventId: unique('evt') });
      expect((await rec(withKey)).outcome).toBe('RECORDED');
      expect((await rec(withKey)).outcome).toBe('DUPLICATE_REQUEST');
      expect(await runCount(server, id)).toBe(2);
    });

    it('ONCE runs once per person, even for 20 concurrent triggering activities', async () => {
      const id = await active({ qualification: { kind: 'ONCE' }, flow: [{ action: 'CHANGE_SCORE', scoreDelta: 7 }] });
      const visitor = unique('visitor');
      const first = await rec(goal(visitor, 'warm-up'));
      await Promise.all(Array.from({ length: 20 }, () => rec(goal(visitor))));
      expect(await runCount(server, id, first.activity.person.id)).toBe(1);
      expect(await scoreOf(first.activity.person.id)).toBe(7);
      // Another person still qualifies.
      const other = await rec(goal(unique('visitor')));
      expect(await runCount(server, id, other.activity.person.id)).toBe(1);
    });

    it('ONCE_EVERY measures the interval between run times', async () => {
      const id = await active({ qualification: { kind: 'ONCE_EVERY', interval: { amount: 1, unit: 'MINUTES' } } });
      const visitor = unique('visitor');
      // An activity that happened long ago still counts from the time of the run.
      const first = await rec(goal(visitor, 'demo', { occurredAt: new Date(Date.now() - 3_600_000).toISOString() }));
      const personId = first.activity.person.id;
      await Promise.all(Array.from({ length: 10 }, () => rec(goal(visitor))));
      expect(await runCount(server, id, personId)).toBe(1);
      // Move the last run two minutes into the past: the interval has passed.
      await server.app.dataSource.query(
        'UPDATE campaign_qualification SET last_run_at = last_run_at - 120000 WHERE campaign_id = ? AND person_id = ?',
        [rawOf(id), rawOf(personId)],
      );
      await Promise.all(Array.from({ length: 10 }, () => rec(goal(visitor))));
      expect(await runCount(server, id, personId)).toBe(2);
    });
  });

  describe('flow', () => {
    it('runs steps in order: conditions that fail skip a step, CHANGE_SCORE is DONE, deliveries are QUEUED', async () => {
      const SETTINGS = `mutation($input: SalesInsightSettingsInput!) { updateSalesInsightSettings(input: $input) { enabled } }`;
      const settings = await gql(SETTINGS, {
        input: {
          enabled: true,
          endpointUrl: 'http://127.0.0.1:9/sales-insight',
          signingSecret: 'test-signing-secret-0123456789',
          activityTypes: [],
        },
      });
      expect(settings.errors).toBeUndefined();
      const id = await active({
        flow: [
          { action: 'CHANGE_SCORE', scoreDelta: 10, conditions: [{ goal: { is: ['demo'] } }] },
          {
            action: 'CHANGE_SCORE',
            scoreDelta: 100,
            conditions: [{ goal: { is: ['demo'] } }, { chat: { is: ['other-chat'] } }],
          },
          { action: 'CHANGE_SCORE', scoreDelta: -3 },
          { action: 'INTERESTING_MOMENT', description: 'Asked for a demo' },
          { action: 'WEBHOOK', webhookUrl: 'http://127.0.0.1:9/hook', conditions: [{ goal: { contains: ['pric'] } }] },
        ],
      });
      const visitor = unique('visitor');
      const demo = await rec(goal(visitor, 'demo'));
      const pricing = await rec(goal(visitor, 'pricing'));
      const runs = (await gql(GET_CAMPAIGN, { id })).data.campaign.runs.edges.map((e: any) => e.node);
      const byActivity = new Map(runs.map((r: any) => [r.activity.id, r]));
      expect((byActivity.get(demo.activity.id) as any).steps.map((s: any) => s.outcome)).toEqual([
        'DONE',
        'SKIPPED',
        'DONE',
        'QUEUED',
        'SKIPPED',
      ]);
      expect((byActivity.get(pricing.activity.id) as any).steps.map((s: any) => s.outcome)).toEqual([
        'SKIPPED',
        'SKIPPED',
        'DONE',
        'QUEUED',
        'QUEUED',
      ]);
      expect((byActivity.get(demo.activity.id) as any).steps.map((s: any) => s.position)).toEqual([1, 2, 3, 4, 5]);
      expect(await scoreOf(demo.activity.person.id)).toBe(10 - 3 - 3);

      const DELIVERIES = `query { deliveries(first: 10) { edges { node { kind campaignRun { id campaign { id } activity { id } } } } } }`;
      const deliveries = (await gql(DELIVERIES)).data.deliveries.edges.map((e: any) => e.node);
      expect(deliveries.map((d: any) => d.kind).sort()).toEqual([
        'INTERESTING_MOMENT',
        'INTERESTING_MOMENT',
        'WEBHOOK',
      ]);
      const webhook = deliveries.find((d: any) => d.kind === 'WEBHOOK');
      expect(webhook.campaignRun).toMatchObject({
        id: (byActivity.get(pricing.activity.id) as any).id,
        campaign: { id },
        activity: { id: pricing.activity.id },
      });
    });

    it('marks an INTERESTING_MOMENT step FAILED while Sales Insight is off (nothing to queue to)', async () => {
      const id = await active({ flow: [{ action: 'INTERESTING_MOMENT', description: 'Hot lead' }] });
      await rec(goal(unique('visitor')));
      const [run] = (await gql(GET_CAMPAIGN, { id })).data.campaign.runs.edges.map((e: any) => e.node);
      expect(run.steps).toEqual([{ position: 1, action: 'INTERESTING_MOMENT', outcome: 'FAILED' }]);
    });

    it('adds up score changes of 20 concurrent runs', async () => {
      await active({ flow: [{ action: 'CHANGE_SCORE', scoreDelta: 5 }] });
      const visitor = unique('visitor');
      const first = await rec(
        goal(visitor, 'no-such-goal', {
          type: 'INTERACTED_WITH_DOCUMENT',
          goal: undefined,
          document: { id: 'd', name: 'D' },
        }),
      );
      await Promise.all(Array.from({ length: 20 }, () => rec(goal(visitor))));
      expect(await scoreOf(first.activity.person.id)).toBe(100);
    });
  });

  describe('filters', () => {
    it('runs only for people who pass the campaign filters (evaluated with the new activity stored)', async () => {
      const id = await active({
        triggers: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { is: ['demo'] } } }],
        filters: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { is: ['signup'] } } }],
      });
      const visitor = unique('visitor');
      const before = await rec(goal(visitor, 'demo'));
      expect(await runCount(server, id, before.activity.person.id)).toBe(0);
      await rec(goal(visitor, 'signup'));
      await rec(goal(visitor, 'demo'));
      expect(await runCount(server, id, before.activity.person.id)).toBe(1);

      const selfCounting = await active({
        triggers: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { is: ['trial'] } } }],
        filters: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { is: ['trial'] } }, minNumberOfTimes: 2 }],
      });
      const v2 = unique('visitor');
      const one = await rec(goal(v2, 'trial'));
      expect(await runCount(server, selfCounting, one.activity.person.id)).toBe(0);
      await rec(goal(v2, 'trial'));
      expect(await runCount(server, selfCounting, one.activity.person.id)).toBe(1);
    });
  });

  describe('batches', () => {
    it('checks filters in input order: later activities of the same batch do not count yet', async () => {
      const third = await active({ filters: [{ activity: 'GOAL_ACHIEVED', minNumberOfTimes: 3 }] });
      const visitor = unique('visitor');
      const res = await gql(RECORD_MANY, { inputs: [goal(visitor, 'a'), goal(visitor, 'b'), goal(visitor, 'c')] });
      expect(res.errors).toBeUndefined();
      expect(res.data.recordChatActivities.map((r: any) => r.payload.outcome)).toEqual([
        'RECORDED',
        'RECORDED',
        'RECORDED',
      ]);
      // Sent one by one, only the third would pass the filter: so in one batch too.
      expect(await runCount(server, third)).toBe(1);

      const neverEngaged = await active({
        triggers: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { is: ['x'] } } }],
        filters: [{ activity: 'ENGAGED', negated: true }],
      });
      const other = unique('visitor');
      const engaged = {
        type: 'ENGAGED',
        visitorId: other,
        sessionId: unique('session'),
        chat,
        prompt: 'MULTIPLE_CHOICE',
      };
      const mixed = await gql(RECORD_MANY, { inputs: [goal(other, 'x'), engaged, goal(other, 'x')] });
      expect(mixed.errors).toBeUndefined();
      // The first goal came before the engagement and runs; the second came after it and does not.
      expect(await runCount(server, neverEngaged)).toBe(1);
    });
  });

  describe('person merge', () => {
    it('moveCampaignRuns moves runs and combines qualification state without qualifying anyone again', async () => {
      const once = await active({ qualification: { kind: 'ONCE' } });
      const every = await active({ qualification: { kind: 'ONCE_EVERY', interval: { amount: 1, unit: 'DAYS' } } });
      const anonymous = await rec(goal(unique('visitor')));
      const knownVisitor = unique('visitor');
      const known = await rec(goal(knownVisitor));
      const from = rawOf(anonymous.activity.person.id);
      const to = rawOf(known.activity.person.id);
      // The anonymous person's ONCE_EVERY run is the later one.
      await server.app.dataSource.query(
        'UPDATE campaign_qualification SET last_run_at = last_run_at - 3600000 WHERE person_id = ?',
        [to],
      );

      await inTransaction(server.app.dataSource, (tx) => moveCampaignRuns(tx, workspaceId, from, to));
      expect(await runCount(server, once, to)).toBe(2);
      expect(await runCount(server, every, to)).toBe(2);
      expect(await runCount(server, once, from)).toBe(0);
      const rows = await server.app.dataSource.query(
        'SELECT campaign_id, person_id, last_run_at FROM campaign_qualification WHERE person_id IN (?, ?)',
        [from, to],
      );
      expect(rows).toHaveLength(2);
      expect(rows.every((r: any) => r.person_id === to)).toBe(true);
      // Neither ONCE nor ONCE_EVERY (its last run is recent again) lets the merged person run now.
      await rec(goal(knownVisitor));
      expect(await runCount(server, once, to)).toBe(2);
      expect(await runCount(server, every, to)).toBe(2);
    });
  });
});
