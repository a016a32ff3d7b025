import { eventually, startReceiver } from './helpers/delivery-receiver';
import { rawOf } from './helpers/ids';
import { NO_RATE_LIMITS, startTestServer, type TestServer } from './helpers/server';

/**
 * Issue 21, part 1, end to end over HTTP: LINK_CLICKED, the conversation
 * lifecycle, booking status, the name constraints, the workspace time zone,
 * and what Sales Insight is sent.
 */

const RECORD = `mutation($input: RecordChatActivityInput!) { recordChatActivity(input: $input) {
  outcome activity { id type ... on LinkClickedActivity { link { url text } }
    ... on ChatEngagedActivity { conversationStatus }
    ... on MeetingScheduledActivity { meeting { status bookingId } } } } }`;
const UPDATE_CONVERSATION = `mutation($input: UpdateConversationInput!) { updateConversation(input: $input) {
  outcome duplicate activity { id conversationStatus person { id email } } } }`;
const CREATE_LIST = `mutation($input: SmartListInput!) { createSmartList(input: $input) { id memberCount filters { constraints {
  link { contains } linkText { isEmpty } chatName { notStartsWith } meetingCurrentStatus conversationStatus } dateOfActivity { inTimeFrame onOrAfter } } } }`;
const MEMBERS = `query($id: ID!) { smartList(id: $id) { memberCount members { edges { node { email } } } } }`;
const COUNTS = `query { activities: deliveries(first: 100, kind: ACTIVITY) { edges { node { id } } } }`;

const chat = { kind: 'DIALOGUE', id: 'pricing-dialogue', name: 'Pricing questions' };

describe('chat constraints over HTTP', () => {
  let server: TestServer;
  let seq = 0;
  const visitor = () => `v-${++seq}`;

  beforeAll(async () => {
    server = await startTestServer({ config: { rateLimits: NO_RATE_LIMITS } });
  });
  afterAll(() => server.stop());

  const record = async (input: Record<string, unknown>) => {
    const res = await server.gql(RECORD, { input: { sessionId: 's-1', chat, ...input } });
    expect(res.errors).toBeUndefined();
    return res.data.recordChatActivity;
  };
  const activityCount = async () =>
    Number((await server.app.dataSource.query('SELECT COUNT(*) AS n FROM activity'))[0].n);
  const createList = async (filters: unknown[], logic = 'ALL') => {
    const res = await server.gql(CREATE_LIST, { input: { name: `list ${++seq}`, logic, filters } });
    expect(res.errors).toBeUndefined();
    return res.data.createSmartList as { id: string; memberCount: number };
  };
  const members = async (id: string) => {
    const res = await server.gql(MEMBERS, { id });
    expect(res.errors).toBeUndefined();
    return (res.data.smartList.members.edges as Array<{ node: { email: string } }>).map((e) => e.node.email).sort();
  };

  describe('LINK_CLICKED', () => {
    it('is stored every time, with its link, and refused without one or with a bad url (code, field, nothing stored)', async () => {
      const v = visitor();
      const link = { url: 'https://example.com/pricing?plan=pro', text: 'See plans' };
      const first = await record({ type: 'LINK_CLICKED', visitorId: v, link });
      const second = await record({ type: 'LINK_CLICKED', visitorId: v, link });
      expect([first.outcome, second.outcome]).toEqual(['RECORDED', 'RECORDED']);
      expect(first.activity.link).toEqual(link);
      expect(first.activity.id).not.toBe(second.activity.id);
      expect(
        (await record({ type: 'LINK_CLICKED', visitorId: v, link: { url: 'https://x.io/' } })).activity.link,
      ).toEqual({
        url: 'https://x.io/',
        text: null,
      });

      const before = await activityCount();
      const cases: Array<[Record<string, unknown>, string[]]> = [
        [{ type: 'LINK_CLICKED' }, ['input', 'link']],
        [{ type: 'ENGAGED', link }, ['input', 'link']],
        [{ type: 'LINK_CLICKED', link: { url: 'javascript:alert(1)', text: 'x' } }, ['input', 'link', 'url']],
        [{ type: 'LINK_CLICKED', link: { url: '/relative', text: 'x' } }, ['input', 'link', 'url']],
        [
          { type: 'LINK_CLICKED', link: { url: `https://x.io/${'a'.repeat(2040)}`, text: 'x' } },
          ['input', 'link', 'url'],
        ],
        [{ type: 'LINK_CLICKED', link: { url: 'https://x.io/', text: 'x'.repeat(256) } }, ['input', 'link', 'text']],
        [{ type: 'LINK_CLICKED', link: { url: 'https://x.io/', text: '   ' } }, ['input', 'link', 'text']],
      ];
      for (const [input, field] of cases) {
        const res = await server.gql(RECORD, { input: { visitorId: v, sessionId: 's', chat, ...input } });
        expect({ input, code: res.errors?.[0].extensions?.code, field: res.errors?.[0].extensions?.field }).toEqual({
          input,
          code: 'BAD_USER_INPUT',
          field,
        });
      }
      expect(await activityCount()).toBe(before);
    });

    it('is matched by link (the url) and linkText in smart lists', async () => {
      const v = visitor();
      await record({
        type: 'LINK_CLICKED',
        visitorId: v,
        link: { url: 'https://example.com/Docs/api' },
        person: { email: 'linker@example.com' },
      });
      const byUrl = await createList([{ activity: 'LINK_CLICKED', constraints: { link: { contains: ['/docs/'] } } }]);
      const noText = await createList([{ activity: 'LINK_CLICKED', constraints: { linkText: { isEmpty: true } } }]);
      const otherUrl = await createList([
        { activity: 'LINK_CLICKED', constraints: { link: { contains: ['/blog/'] } } },
      ]);
      expect(await members(byUrl.id)).toContain('linker@example.com');
      expect(await members(noText.id)).toContain('linker@example.com');
      expect(await members(otherUrl.id)).not.toContain('linker@example.com');
      const refused = await server.gql(CREATE_LIST, {
        input: { name: 'bad', filters: [{ activity: 'ENGAGED', constraints: { link: { is: ['x'] } } }] },
      });
      expect(refused.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: ['input', 'filters', '0', 'constraints', 'link'],
      });
    });
  });

  describe('updateConversation', () => {
    it('moves an engagement forward only, answers a retried clientEventId the same, and is NOT_FOUND for none', async () => {
      const v = visitor();
      const engaged = await record({ type: 'ENGAGED', visitorId: v });
      expect(engaged.activity.conversationStatus).toBe('INITIATED');
      const update = (status: string, clientEventId?: string) =>
        server.gql(UPDATE_CONVERSATION, {
          input: { visitorId: v, sessionId: 's-1', chat: chat.id, status, clientEventId },
        });

      const dropped = await update('DROPPED', 'c-1');
      expect(dropped.data.updateConversation).toMatchObject({
        outcome: 'UPDATED',
        duplicate: false,
        activity: { id: engaged.activity.id, conversationStatus: 'DROPPED' },
      });
      expect((await update('DROPPED')).data.updateConversation.outcome).toBe('UNCHANGED');
      expect((await update('INITIATED')).data.updateConversation.outcome).toBe('NOT_APPLIED');
      expect((await update('COMPLETED', 'c-2')).data.updateConversation.outcome).toBe('UPDATED');
      const late = await update('DROPPED', 'c-3');
      expect(late.data.updateConversation).toMatchObject({
        outcome: 'NOT_APPLIED',
        activity: { conversationStatus: 'COMPLETED' },
      });
      // The first call's answer again, with the engagement as it is now.
      expect((await update('DROPPED', 'c-1')).data.updateConversation).toMatchObject({
        outcome: 'UPDATED',
        duplicate: true,
        activity: { conversationStatus: 'COMPLETED' },
      });
      const conflict = await update('COMPLETED', 'c-1');
      expect(conflict.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: ['input', 'clientEventId'] });

      const answers = async () =>
        Number((await server.app.dataSource.query('SELECT COUNT(*) AS n FROM conversation_update'))[0].n);
      const kept = await answers();
      const missing = await server.gql(UPDATE_CONVERSATION, {
        input: { visitorId: v, sessionId: 'never', chat: chat.id, status: 'COMPLETED', clientEventId: 'c-4' },
      });
      expect(missing.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'ENGAGEMENT_NOT_FOUND' });
      expect(await answers()).toBe(kept);
      const bad = await server.gql(UPDATE_CONVERSATION, {
        input: { visitorId: '', sessionId: 's-1', chat: chat.id, status: 'COMPLETED' },
      });
      expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: ['input', 'visitorId'] });
    });

    it('is the widget’s call: a public key may make it and gets no personal data back', async () => {
      const v = visitor();
      await record({ type: 'ENGAGED', visitorId: v, person: { email: 'private@example.com' } });
      const recordKey = await server.createKey(server.workspaceId, ['RECORD']);
      const res = await server.gql(
        `mutation($input: UpdateConversationInput!) { updateConversation(input: $input) { outcome activity { person { id } } } }`,
        { input: { visitorId: v, sessionId: 's-1', chat: chat.id, status: 'COMPLETED' } },
        recordKey,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data.updateConversation.outcome).toBe('UPDATED');
      const email = await server.gql(
        UPDATE_CONVERSATION,
        {
          input: { visitorId: v, sessionId: 's-1', chat: chat.id, status: 'COMPLETED' },
        },
        recordKey,
      );
      expect(email.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect(JSON.stringify(email.data ?? null)).not.toContain('private@example.com');
      const readKey = await server.createKey(server.workspaceId, ['READ']);
      const refused = await server.gql(
        UPDATE_CONVERSATION,
        {
          input: { visitorId: v, sessionId: 's-1', chat: chat.id, status: 'COMPLETED' },
        },
        readKey,
      );
      expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    });

    it('re-sends the engagement to Sales Insight with its new status, and conversationStatus filters and triggers see it', async () => {
      const receiver = await startReceiver();
      try {
        const settings = await server.gql(
          `mutation { updateSalesInsightSettings(input: { enabled: true, endpointUrl: "${receiver.url}", signingSecret: "0123456789abcdef0123", activityTypes: [ENGAGED, LINK_CLICKED] }) { enabled } }`,
        );
        expect(settings.errors).toBeUndefined();
        const campaign = await server.gql(
          `mutation { createCampaign(input: { name: "Completed chats", triggers: [{ activity: ENGAGED, constraints: { conversationStatus: [COMPLETED] } }], flow: [{ action: CHANGE_SCORE, scoreDelta: 5 }] }) { id } }`,
        );
        expect(campaign.errors).toBeUndefined();
        const activated = await server.gql(`mutation($id: ID!) { activateCampaign(id: $id) { active } }`, {
          id: campaign.data.createCampaign.id,
        });
        expect(activated.errors).toBeUndefined();

        const v = visitor();
        const engaged = await record({ type: 'ENGAGED', visitorId: v, person: { email: 'finisher@example.com' } });
        const engagedId = rawOf(engaged.activity.id);
        const score = async () =>
          (await server.gql(`query { personByEmail(email: "finisher@example.com") { score } }`)).data.personByEmail
            .score;
        expect(await score()).toBe(0);
        // Sent in any order: find each by what it carries.
        const sent = (where: (data: Record<string, unknown>) => boolean) =>
          eventually(() =>
            Promise.resolve(
              receiver.received
                .map((r) => JSON.parse(r.body) as { data: Record<string, unknown> })
                .find((body) => where(body.data)),
            ),
          );
        await sent((d) => d.id === engagedId && d.conversationStatus === 'INITIATED');
        const link = await record({
          type: 'LINK_CLICKED',
          visitorId: v,
          link: { url: 'https://example.com/a', text: 'A' },
        });
        expect((await sent((d) => d.id === rawOf(link.activity.id))).data).toMatchObject({
          id: rawOf(link.activity.id),
          type: 'LINK_CLICKED',
          linkUrl: 'https://example.com/a',
          linkText: 'A',
        });

        const completed = await createList([
          { activity: 'ENGAGED', constraints: { conversationStatus: ['COMPLETED'] } },
        ]);
        expect(await members(completed.id)).not.toContain('finisher@example.com');
        const res = await server.gql(UPDATE_CONVERSATION, {
          input: { visitorId: v, sessionId: 's-1', chat: chat.id, status: 'COMPLETED', clientEventId: `done-${v}` },
        });
        expect(res.data.updateConversation.outcome).toBe('UPDATED');
        const body = await sent((d) => d.id === engagedId && d.conversationStatus === 'COMPLETED');
        expect(body).toMatchObject({ kind: 'ACTIVITY', activityId: engagedId });
        expect(body.data).toMatchObject({ id: engagedId, type: 'ENGAGED', conversationStatus: 'COMPLETED' });
        expect(await members(completed.id)).toContain('finisher@example.com');
        // The status trigger ran once, on the change (recording it as INITIATED did not).
        expect(await score()).toBe(5);

        // Neither a retry nor a status that does not move re-sends or re-triggers anything.
        const queued = (await server.gql(COUNTS)).data.activities.edges.length;
        await server.gql(UPDATE_CONVERSATION, {
          input: { visitorId: v, sessionId: 's-1', chat: chat.id, status: 'COMPLETED', clientEventId: `done-${v}` },
        });
        await server.gql(UPDATE_CONVERSATION, {
          input: { visitorId: v, sessionId: 's-1', chat: chat.id, status: 'DROPPED' },
        });
        expect((await server.gql(COUNTS)).data.activities.edges.length).toBe(queued);
        expect(await score()).toBe(5);
      } finally {
        await server.gql(`mutation { updateSalesInsightSettings(input: { enabled: false }) { enabled } }`);
        await receiver.close();
      }
    });
  });

  describe('bookings', () => {
    it('meetingCurrentStatus follows the booking’s latest activity; each row keeps its own status', async () => {
      const meeting = (status: string, id: string) => ({
        startsAt: new Date(Date.now() + 86_400_000).toISOString(),
        agent: { id: 'agent-sam', name: 'Sam Rivera' },
        status,
        id,
      });
      const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
      const booked = await record({
        type: 'MEETING_SCHEDULED',
        visitorId: visitor(),
        occurredAt: at(30),
        meeting: meeting('SCHEDULED', 'booking-1'),
        person: { email: 'cancelled@example.com' },
      });
      await record({
        type: 'MEETING_SCHEDULED',
        visitorId: visitor(),
        occurredAt: at(20),
        meeting: meeting('CANCELLED', 'booking-1'),
        person: { email: 'cancelled@example.com' },
      });
      await record({
        type: 'MEETING_SCHEDULED',
        visitorId: visitor(),
        occurredAt: at(30),
        meeting: meeting('SCHEDULED', 'booking-2'),
        person: { email: 'moved@example.com' },
      });
      await record({
        type: 'MEETING_SCHEDULED',
        visitorId: visitor(),
        occurredAt: at(10),
        meeting: meeting('RESCHEDULED', 'booking-2'),
        person: { email: 'moved@example.com' },
      });
      expect(booked.activity.meeting).toEqual({ status: 'SCHEDULED', bookingId: 'booking-1' });
      const stillOn = await createList([
        { activity: 'MEETING_SCHEDULED', constraints: { meetingCurrentStatus: ['SCHEDULED', 'RESCHEDULED'] } },
      ]);
      const everBooked = await createList([
        { activity: 'MEETING_SCHEDULED', constraints: { meetingStatus: ['SCHEDULED'] } },
      ]);
      expect(await members(stillOn.id)).toEqual(['moved@example.com']);
      expect(await members(everBooked.id)).toEqual(['cancelled@example.com', 'moved@example.com']);
    });
  });

  describe('names and time frames', () => {
    it('chatName matches the current name; inTimeFrame the workspace’s calendar, in the time zone it sets', async () => {
      const v = visitor();
      const flow = { kind: 'CONVERSATIONAL_FLOW', id: 'renamed-flow', name: 'Old name' };
      await record({ type: 'TRIGGERED', visitorId: v, chat: flow, person: { email: 'named@example.com' } });
      const byName = await createList([{ activity: 'TRIGGERED', constraints: { chatName: { is: ['new NAME'] } } }]);
      expect(await members(byName.id)).toEqual([]);
      await record({
        type: 'TRIGGERED',
        visitorId: visitor(),
        chat: { ...flow, name: 'New name' },
        person: { email: 'renamer@example.com' },
      });
      // Both activities' chat is called "New name" now.
      expect(await members(byName.id)).toEqual(['named@example.com', 'renamer@example.com']);

      const setZone = (timeZone: string, key?: string) =>
        server.gql(
          `mutation($tz: String) { updateWorkspaceSettings(input: { timeZone: $tz }) { timeZone } }`,
          { tz: timeZone },
          key,
        );
      expect((await setZone('Mars/Olympus')).errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: ['input', 'timeZone'],
        reason: 'TIME_ZONE_INVALID',
      });
      expect((await server.gql(`query { viewer { workspace { timeZone } } }`)).data.viewer.workspace.timeZone).toBe(
        'UTC',
      );
      const readKey = await server.createKey(server.workspaceId, ['READ']);
      expect((await setZone('Europe/Berlin', readKey)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await setZone('europe/berlin')).data.updateWorkspaceSettings.timeZone).toBe('Europe/Berlin');
      expect((await server.gql(`query { viewer { workspace { timeZone } } }`)).data.viewer.workspace.timeZone).toBe(
        'Europe/Berlin',
      );
      const today = await createList([{ activity: 'TRIGGERED', dateOfActivity: { inTimeFrame: 'TODAY' } }]);
      const lastYear = await createList([{ activity: 'TRIGGERED', dateOfActivity: { inTimeFrame: 'LAST_YEAR' } }]);
      expect(await members(today.id)).toContain('named@example.com');
      expect(await members(lastYear.id)).not.toContain('named@example.com');
      await setZone('UTC');
    });
  });
});
