import { newId } from '../src/db/columns';
import { insertActivities, insertPerson } from './helpers/activity-data';
import {
  activeCampaign,
  campaignInput,
  CREATE_CAMPAIGN,
  DELETE_CAMPAIGN,
  goal,
  unique,
} from './helpers/campaign-fixtures';
import { globalId } from './helpers/ids';
import { RECORD } from './helpers/record';
import { startTestServer, type TestServer } from './helpers/server';

/**
 * Person and membership filters over HTTP: what each person filter means on
 * a hand-built set of people, memberOfSmartList against the named list's own
 * `includes`, the nesting rules (cycles, depth) on create and on update with
 * nothing changed by a refused write, deletion of a list in use, campaign
 * filters, and every validation error with its field.
 */

const H = 3_600_000;
const D = 24 * H;

const ALL_FILTERS = `allFilters { position activity negated minNumberOfTimes constraints { goal { is } }
  person { known emailDomain company score { atLeast atMost } createdAt { inPast { amount unit } after } }
  memberOfSmartList { smartListId negated smartList { id name } }
  wasInCampaign { campaignId negated dateOfActivity { inPast { amount unit } } campaign { id name } } }`;
const CREATE = `mutation($input: SmartListInput!) { createSmartList(input: $input) { id name filters { position activity } ${ALL_FILTERS} } }`;
const UPDATE = `mutation($id: ID!, $input: SmartListInput!) { updateSmartList(id: $id, input: $input) { id ${ALL_FILTERS} } }`;
const DELETE = `mutation($id: ID!) { deleteSmartList(id: $id) }`;
const GET = `query($id: ID!) { smartList(id: $id) { id name ${ALL_FILTERS} } }`;
const COUNT = `query { smartLists(first: 100) { edges { node { id } } } }`;

describe('person and membership filters', () => {
  let server: TestServer;
  let now: number;
  const people: Record<string, string> = {};
  let campaignId: string;

  const members = async (listId: string): Promise<string[]> => {
    const res = await server.gql(
      `query($id: ID!) { smartList(id: $id) { memberCount members(first: 100) { edges { node { id } } } } }`,
      { id: listId },
    );
    expect(res.errors).toBeUndefined();
    const ids: string[] = res.data.smartList.members.edges.map((e: any) => e.node.id);
    expect(res.data.smartList.memberCount).toBe(ids.length);
    const names = Object.entries(people)
      .filter(([, id]) => ids.includes(globalId('Person', id)))
      .map(([name]) => name);
    return names.sort();
  };

  /** includes(personId) of every person, in one request. */
  const includes = async (listId: string): Promise<Record<string, boolean>> => {
    const fields = Object.entries(people)
      .map(([name, id]) => `${name}: includes(personId: "${globalId('Person', id)}")`)
      .join(' ');
    const res = await server.gql(`query($id: ID!) { smartList(id: $id) { ${fields} } }`, { id: listId });
    expect(res.errors).toBeUndefined();
    return res.data.smartList;
  };

  const create = async (filters: unknown[], extra: Record<string, unknown> = {}): Promise<string> => {
    const res = await server.gql(CREATE, { input: { name: unique('list'), filters, ...extra } });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data.createSmartList.id;
  };

  const listCount = async () => (await server.gql(COUNT)).data.smartLists.edges.length;

  beforeAll(async () => {
    server = await startTestServer();
    now = Date.now();
    const db = server.app.dataSource;
    const ws = server.workspaceId;
    const spec: Record<string, { email: string | null; company: string | null; score: number; createdAt: number }> = {
      ann: { email: 'Ann@ACME.io', company: 'Acme', score: 10, createdAt: now - 40 * D },
      bob: { email: 'bob@mail.acme.io', company: 'ACME', score: 5, createdAt: now - 5 * D },
      cat: { email: null, company: null, score: 0, createdAt: now - 2 * D },
      dan: { email: 'dan@beta.com', company: 'Acme Inc', score: 20, createdAt: now - 1 * D },
    };
    for (const [name, p] of Object.entries(spec)) {
      people[name] = await insertPerson(db, ws, p.email);
      await db.query('UPDATE person SET company = ?, score = ?, created_at = ? WHERE id = ?', [
        p.company,
        p.score,
        p.createdAt,
        people[name],
      ]);
    }
    await insertActivities(db, ws, people.ann, [{ type: 'GOAL_ACHIEVED', at: now - 2 * H, goal: 'demo' }]);
    await insertActivities(db, ws, people.cat, [{ type: 'GOAL_ACHIEVED', at: now - 3 * H, goal: 'demo' }]);
    await insertActivities(db, ws, people.bob, [{ type: 'ENGAGED', at: now - 3 * H }]);
    const created = await server.gql(CREATE_CAMPAIGN, { input: campaignInput({ name: 'Nurture' }) });
    campaignId = created.data.createCampaign.id;
    const raw = Buffer.from(campaignId, 'base64url').toString('utf8').split(':')[1];
    const runs: Array<[string, number]> = [
      [people.ann, now - 2 * D],
      [people.bob, now - 20 * D],
    ];
    for (const [seq, [personId, at]] of runs.entries()) {
      await db.query(
        'INSERT INTO campaign_run (id, workspace_id, campaign_id, seq, person_id, activity_id, triggered_at, steps) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [newId(), ws, raw, seq + 1, personId, newId(), at, '[]'],
      );
    }
  });
  afterAll(() => server.stop());

  describe('person filters', () => {
    it.each([
      ['emailDomain is the exact domain after @, case-insensitive', { emailDomain: 'acme.io' }, ['ann']],
      ['emailDomain matches a subdomain only by its full name', { emailDomain: 'MAIL.acme.IO' }, ['bob']],
      ['company is exact and case-insensitive', { company: 'acme' }, ['ann', 'bob']],
      ['known is having an e-mail address', { known: true }, ['ann', 'bob', 'dan']],
      ['known: false is anonymous', { known: false }, ['cat']],
      ['score bounds are inclusive', { score: { atLeast: 5, atMost: 10 } }, ['ann', 'bob']],
      ['score atLeast alone', { score: { atLeast: 20 } }, ['dan']],
      [
        'createdAt takes a date of activity',
        { createdAt: { inPast: { amount: 7, unit: 'DAYS' } } },
        ['bob', 'cat', 'dan'],
      ],
      ['every attribute set must hold', { known: true, score: { atMost: 10 }, company: 'ACME' }, ['ann', 'bob']],
    ])('%s', async (_name, person, expected) => {
      const id = await create([{ person }]);
      expect(await members(id)).toEqual(expected);
      const inList = await includes(id);
      expect(
        Object.entries(inList)
          .filter(([, yes]) => yes)
          .map(([name]) => name)
          .sort(),
      ).toEqual(expected);
    });

    it('wasInCampaign holds for people with a run of the campaign, within a date of activity, or negated', async () => {
      expect(await members(await create([{ wasInCampaign: { campaignId } }]))).toEqual(['ann', 'bob']);
      const recent = await create([
        { wasInCampaign: { campaignId, dateOfActivity: { inPast: { amount: 7, unit: 'DAYS' } } } },
      ]);
      expect(await members(recent)).toEqual(['ann']);
      expect(await members(await create([{ wasInCampaign: { campaignId, negated: true } }]))).toEqual(['cat', 'dan']);
    });

    it('numbers person filters with activity filters in ADVANCED logic', async () => {
      const id = await create(
        [
          { activity: 'GOAL_ACHIEVED', constraints: { goal: { is: ['demo'] } } },
          { person: { known: true } },
          { person: { score: { atLeast: 20 } } },
        ],
        { logic: 'ADVANCED', advancedLogic: '(1 and 2) or 3' },
      );
      expect(await members(id)).toEqual(['ann', 'dan']);
      const any = await create([{ person: { known: false } }, { activity: 'ENGAGED' }], { logic: 'ANY' });
      expect(await members(any)).toEqual(['bob', 'cat']);
      const not = await create([{ activity: 'GOAL_ACHIEVED' }, { person: { known: true } }], {
        logic: 'ADVANCED',
        advancedLogic: '1 and not 2',
      });
      expect(await members(not)).toEqual(['cat']);
    });

    it('reads every kind back through allFilters; filters keeps the activity filters', async () => {
      const inner = await create([{ activity: 'ENGAGED' }]);
      const res = await server.gql(CREATE, {
        input: {
          name: unique('mixed'),
          filters: [
            { activity: 'GOAL_ACHIEVED', constraints: { goal: { is: ['demo'] } } },
            {
              person: {
                emailDomain: 'acme.io',
                score: { atLeast: 1 },
                createdAt: { inPast: { amount: 3, unit: 'DAYS' } },
              },
            },
            { memberOfSmartList: { smartListId: inner, negated: true } },
            { wasInCampaign: { campaignId, dateOfActivity: { inPast: { amount: 1, unit: 'MONTHS' } } } },
          ],
        },
      });
      expect(res.errors).toBeUndefined();
      const list = res.data.createSmartList;
      expect(list.filters).toEqual([{ position: 1, activity: 'GOAL_ACHIEVED' }]);
      const again = await server.gql(GET, { id: list.id });
      expect(again.data.smartList.allFilters).toEqual(list.allFilters);
      expect(list.allFilters).toMatchObject([
        { position: 1, activity: 'GOAL_ACHIEVED', negated: false, minNumberOfTimes: 1, person: null },
        {
          position: 2,
          activity: null,
          negated: null,
          constraints: null,
          person: {
            known: null,
            emailDomain: 'acme.io',
            company: null,
            score: { atLeast: 1, atMost: null },
            createdAt: { inPast: { amount: 3, unit: 'DAYS' } },
          },
        },
        { position: 3, memberOfSmartList: { smartListId: inner, negated: true, smartList: { id: inner } } },
        {
          position: 4,
          wasInCampaign: {
            campaignId,
            negated: false,
            dateOfActivity: { inPast: { amount: 1, unit: 'MONTHS' } },
            campaign: { id: campaignId, name: 'Nurture' },
          },
        },
      ]);
    });
  });

  describe('memberOfSmartList', () => {
    it("agrees with the named list's own includes, negated too, nested three deep", async () => {
      const goalReachers = await create([{ activity: 'GOAL_ACHIEVED' }]);
      const known = await create([{ memberOfSmartList: { smartListId: goalReachers } }, { person: { known: true } }]);
      const notKnown = await create([{ memberOfSmartList: { smartListId: known, negated: true } }]);
      const [a, b, c] = await Promise.all([includes(goalReachers), includes(known), includes(notKnown)]);
      for (const name of Object.keys(people)) {
        expect({ name, inB: b[name] }).toEqual({ name, inB: a[name] && name !== 'cat' });
        expect({ name, inC: c[name] }).toEqual({ name, inC: !b[name] });
      }
      expect(await members(known)).toEqual(['ann']);
      expect(await members(notKnown)).toEqual(['bob', 'cat', 'dan']);
    });

    it('refuses nesting deeper than 3 on create, and stores nothing', async () => {
      const a = await create([{ activity: 'ENGAGED' }]);
      const b = await create([{ memberOfSmartList: { smartListId: a } }]);
      const c = await create([{ memberOfSmartList: { smartListId: b } }]);
      const before = await listCount();
      const name = unique('too-deep');
      const res = await server.gql(CREATE, {
        input: { name, filters: [{ person: { known: true } }, { memberOfSmartList: { smartListId: c } }] },
      });
      expect(res.data).toBeNull();
      expect(res.errors![0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'NESTING_TOO_DEEP',
        field: ['input', 'filters', '1', 'memberOfSmartList', 'smartListId'],
      });
      expect(res.errors![0].message).toMatch(/4 deep .*at most 3/);
      expect(await listCount()).toBe(before);
      // The name was not taken by the refused list.
      expect(
        (await server.gql(CREATE, { input: { name, filters: [{ activity: 'ENGAGED' }] } })).errors,
      ).toBeUndefined();
    });

    it('refuses an update that would nest deeper than 3 from above, and changes nothing', async () => {
      const x = await create([{ activity: 'ENGAGED' }]);
      await create([{ memberOfSmartList: { smartListId: x } }]); // y, above x
      const z = await create([{ activity: 'TRIGGERED' }]);
      const w = await create([{ activity: 'GOAL_ACHIEVED' }]);
      // y → x → z is 3 deep: allowed.
      expect(
        (
          await server.gql(UPDATE, {
            id: x,
            input: { name: unique('x'), filters: [{ memberOfSmartList: { smartListId: z } }] },
          })
        ).errors,
      ).toBeUndefined();
      const before = (await server.gql(GET, { id: z })).data.smartList;
      const res = await server.gql(UPDATE, {
        id: z,
        input: { name: unique('z'), filters: [{ memberOfSmartList: { smartListId: w } }] },
      });
      expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NESTING_TOO_DEEP' });
      expect((await server.gql(GET, { id: z })).data.smartList).toEqual(before);
    });

    it.each([
      ['a list naming itself', (a: string) => [a]],
      ['b naming a where a names b', (_a: string, b: string) => [b]],
      ['a cycle through three lists', (_a: string, _b: string, c: string) => [c]],
    ])('refuses %s as a cycle on update, and changes nothing', async (_name, target) => {
      const a = await create([{ activity: 'ENGAGED' }]);
      const b = await create([{ memberOfSmartList: { smartListId: a } }]);
      const c = await create([{ memberOfSmartList: { smartListId: b } }]);
      const before = (await server.gql(GET, { id: a })).data.smartList;
      const [refersTo] = target(a, b, c);
      const res = await server.gql(UPDATE, {
        id: a,
        input: {
          name: unique('a'),
          filters: [{ activity: 'ENGAGED' }, { memberOfSmartList: { smartListId: refersTo } }],
        },
      });
      expect(res.errors![0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'NESTING_CYCLE',
        field: ['input', 'filters', '1', 'memberOfSmartList', 'smartListId'],
      });
      expect(res.errors![0].message).toMatch(/cycle of smart lists: .* → .*/);
      expect((await server.gql(GET, { id: a })).data.smartList).toEqual(before);
    });

    it('two concurrent updates that would together make a cycle: one is refused', async () => {
      for (let round = 0; round < 5; round++) {
        const a = await create([{ activity: 'ENGAGED' }]);
        const b = await create([{ activity: 'TRIGGERED' }]);
        const results = await Promise.all(
          [
            [a, b],
            [b, a],
          ].map(([id, target]) =>
            server.gql(UPDATE, {
              id,
              input: { name: unique('race'), filters: [{ memberOfSmartList: { smartListId: target } }] },
            }),
          ),
        );
        const refused = results.filter((r) => r.errors);
        expect(refused).toHaveLength(1);
        expect(refused[0].errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NESTING_CYCLE' });
      }
    });

    it('refuses to delete a list other lists or campaigns filter on, naming them; deletes it once unused', async () => {
      const inner = await create([{ activity: 'ENGAGED' }]);
      const outer = await create([{ memberOfSmartList: { smartListId: inner } }]);
      const refused = await server.gql(DELETE, { id: inner });
      expect(refused.errors![0].extensions).toMatchObject({
        code: 'CONFLICT',
        reason: 'SMART_LIST_IN_USE',
        smartListIds: [outer],
        campaignIds: [],
      });
      expect((await server.gql(GET, { id: inner })).data.smartList.id).toBe(inner);

      await server.gql(UPDATE, { id: outer, input: { name: unique('outer'), filters: [{ activity: 'ENGAGED' }] } });
      const campaign = await server.gql(CREATE_CAMPAIGN, {
        input: campaignInput({ filters: [{ memberOfSmartList: { smartListId: inner } }] }),
      });
      expect(campaign.errors).toBeUndefined();
      const byCampaign = await server.gql(DELETE, { id: inner });
      expect(byCampaign.errors![0].extensions).toMatchObject({
        code: 'CONFLICT',
        smartListIds: [],
        campaignIds: [campaign.data.createCampaign.id],
      });
      expect((await server.gql(DELETE_CAMPAIGN, { id: campaign.data.createCampaign.id })).errors).toBeUndefined();
      expect(await server.gql(DELETE, { id: inner })).toMatchObject({ data: { deleteSmartList: true } });
    });

    it('a deleted campaign has no runs: wasInCampaign then holds for nobody, and reads back without its campaign', async () => {
      const created = await server.gql(CREATE_CAMPAIGN, { input: campaignInput() });
      const gone = created.data.createCampaign.id;
      const raw = Buffer.from(gone, 'base64url').toString('utf8').split(':')[1];
      await server.app.dataSource.query(
        'INSERT INTO campaign_run (id, workspace_id, campaign_id, seq, person_id, activity_id, triggered_at, steps) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [newId(), server.workspaceId, raw, 1, people.dan, newId(), now - H, '[]'],
      );
      const id = await create([{ wasInCampaign: { campaignId: gone } }]);
      expect(await members(id)).toEqual(['dan']);
      expect((await server.gql(DELETE_CAMPAIGN, { id: gone })).errors).toBeUndefined();
      expect(await members(id)).toEqual([]);
      const read = await server.gql(GET, { id });
      expect(read.data.smartList.allFilters[0].wasInCampaign).toMatchObject({ campaignId: gone, campaign: null });
    });
  });

  describe('campaign filters', () => {
    it('get person and membership filters: a trigger runs only for people who pass them', async () => {
      const knownPeople = await create([{ person: { known: true } }]);
      const id = await activeCampaign(server, {
        filterLogic: 'ALL',
        filters: [{ person: { emailDomain: 'acme.io' } }, { memberOfSmartList: { smartListId: knownPeople } }],
      });
      const visitor = (n: string) => `${n}-${unique('v')}`;
      for (const [v, email] of [
        [visitor('in'), 'eve@acme.io'],
        [visitor('out'), 'fay@other.io'],
      ]) {
        const res = await server.gql(RECORD, { input: goal(v, 'demo', { person: { email } }) });
        expect(res.errors).toBeUndefined();
      }
      expect((await server.gql(RECORD, { input: goal(visitor('anon')) })).errors).toBeUndefined();
      const runs = await server.gql(
        `query($id: ID!) { campaign(id: $id) { runs { edges { node { person { email } } } } } }`,
        {
          id,
        },
      );
      expect(runs.data.campaign.runs.edges.map((e: any) => e.node.person.email)).toEqual(['eve@acme.io']);
    });

    it('refuses a campaign filter naming a list or campaign that does not exist', async () => {
      const res = await server.gql(CREATE_CAMPAIGN, {
        input: campaignInput({ filters: [{ memberOfSmartList: { smartListId: globalId('SmartList', newId()) } }] }),
      });
      expect(res.errors![0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'REFERENCE_NOT_FOUND',
        field: ['input', 'filters', '0', 'memberOfSmartList', 'smartListId'],
      });
    });
  });

  describe('validation over HTTP: BAD_USER_INPUT at the field, nothing stored', () => {
    const bad: Array<[string, unknown, string[], RegExp]> = [
      [
        'no kind',
        {},
        ['input', 'filters', '0'],
        /exactly one of activity, person, memberOfSmartList, wasInCampaign \(found none\)/,
      ],
      [
        'two kinds',
        { activity: 'ENGAGED', person: { known: true } },
        ['input', 'filters', '0', 'person'],
        /found activity and person/,
      ],
      [
        'negated on a person filter',
        { person: { known: true }, negated: true },
        ['input', 'filters', '0', 'negated'],
        /not.*advancedLogic/,
      ],
      [
        'constraints on a membership filter',
        { memberOfSmartList: { smartListId: 'x' }, constraints: {} },
        ['input', 'filters', '0', 'constraints'],
        /activity filters/,
      ],
      [
        'minNumberOfTimes on wasInCampaign',
        { wasInCampaign: { campaignId: 'x' }, minNumberOfTimes: 2 },
        ['input', 'filters', '0', 'minNumberOfTimes'],
        /activity filters/,
      ],
      ['an empty person filter', { person: {} }, ['input', 'filters', '0', 'person'], /at least one of known/],
      [
        'an e-mail for a domain',
        { person: { emailDomain: 'ann@acme.io' } },
        ['input', 'filters', '0', 'person', 'emailDomain'],
        /without "@"/,
      ],
      ['an empty company', { person: { company: '' } }, ['input', 'filters', '0', 'person', 'company'], /1 to 255/],
      [
        'an empty score range',
        { person: { score: {} } },
        ['input', 'filters', '0', 'person', 'score'],
        /atLeast, atMost or both/,
      ],
      [
        'atMost below atLeast',
        { person: { score: { atLeast: 5, atMost: 4 } } },
        ['input', 'filters', '0', 'person', 'score', 'atMost'],
        /below atLeast/,
      ],
      [
        'two createdAt operators',
        { person: { createdAt: { inPast: { amount: 1, unit: 'DAYS' }, after: '2026-01-01T00:00:00Z' } } },
        ['input', 'filters', '0', 'person', 'createdAt'],
        /exactly one/,
      ],
      [
        'an unknown list',
        { memberOfSmartList: { smartListId: globalId('SmartList', newId()) } },
        ['input', 'filters', '0', 'memberOfSmartList', 'smartListId'],
        /no smart list/,
      ],
      [
        'an unknown campaign',
        { wasInCampaign: { campaignId: globalId('Campaign', newId()) } },
        ['input', 'filters', '0', 'wasInCampaign', 'campaignId'],
        /no campaign/,
      ],
    ];
    it.each(bad)('%s', async (_name, filter, field, message) => {
      const before = await listCount();
      const res = await server.gql(CREATE, { input: { name: unique('bad'), filters: [filter] } });
      expect(res.data).toBeNull();
      expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
      expect(res.errors![0].message).toMatch(message);
      expect(await listCount()).toBe(before);
    });
  });
});
