import { NO_RATE_LIMITS, startTestServer, type TestServer } from './helpers/server';

/**
 * Lifecycles under concurrency, with real concurrent HTTP requests: a
 * conversation's status and a booking's latest status each end in one
 * answer whatever order the requests commit in.
 */

const RECORD = `mutation($input: RecordChatActivityInput!) { recordChatActivity(input: $input) { outcome } }`;
const UPDATE = `mutation($input: UpdateConversationInput!) { updateConversation(input: $input) { outcome duplicate activity { conversationStatus } } }`;
const chat = { kind: 'DIALOGUE', id: 'race-chat', name: 'Race chat' };

describe('lifecycle races', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ config: { rateLimits: NO_RATE_LIMITS } });
  });
  afterAll(() => server.stop());

  const statusOf = async (visitorId: string) => {
    const rows: Array<{ conversation_status: string }> = await server.app.dataSource.query(
      "SELECT conversation_status FROM activity WHERE visitor_id = ? AND type = 'ENGAGED'",
      [visitorId],
    );
    return rows.map((r) => r.conversation_status);
  };

  it('concurrent updates of one engagement end in the furthest status, and a late one never moves it back', async () => {
    for (let round = 0; round < 5; round += 1) {
      const visitorId = `racer-${round}`;
      const recorded = await server.gql(RECORD, { input: { type: 'ENGAGED', visitorId, sessionId: 's', chat } });
      expect(recorded.errors).toBeUndefined();
      const statuses = ['DROPPED', 'COMPLETED', 'DROPPED', 'INITIATED', 'COMPLETED', 'DROPPED'];
      const answers = await Promise.all(
        statuses.map((status, i) =>
          server.gql(UPDATE, {
            input: { visitorId, sessionId: 's', chat: chat.id, status, clientEventId: `${visitorId}-${i}` },
          }),
        ),
      );
      for (const answer of answers) expect(answer.errors).toBeUndefined();
      const outcomes = answers.map((a) => a.data.updateConversation.outcome as string);
      // COMPLETED is reached exactly once, whichever order they ran in; nothing ever moved it back.
      expect(outcomes.filter((o, i) => o === 'UPDATED' && statuses[i] === 'COMPLETED')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'UPDATED').length).toBeLessThanOrEqual(2);
      // INITIATED never moves anything: unchanged if it ran first, not applied after.
      expect(['UNCHANGED', 'NOT_APPLIED']).toContain(outcomes[3]);
      expect(await statusOf(visitorId)).toEqual(['COMPLETED']);

      // A late DROPPED, and retries of every call racing each other: the same answers, the status kept.
      const retried = await Promise.all(
        [...statuses, 'DROPPED'].map((status, i) =>
          server.gql(UPDATE, {
            input: { visitorId, sessionId: 's', chat: chat.id, status, clientEventId: `${visitorId}-${i}` },
          }),
        ),
      );
      expect(retried.slice(0, statuses.length).map((a) => a.data.updateConversation.outcome)).toEqual(outcomes);
      expect(retried.slice(0, statuses.length).every((a) => a.data.updateConversation.duplicate)).toBe(true);
      expect(retried[statuses.length].data.updateConversation).toEqual({
        outcome: 'NOT_APPLIED',
        duplicate: false,
        activity: { conversationStatus: 'COMPLETED' },
      });
      expect(await statusOf(visitorId)).toEqual(['COMPLETED']);
    }
  });

  it('concurrent retries of one update store one answer', async () => {
    const visitorId = 'retrier';
    await server.gql(RECORD, { input: { type: 'ENGAGED', visitorId, sessionId: 's', chat } });
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        server.gql(UPDATE, {
          input: { visitorId, sessionId: 's', chat: chat.id, status: 'COMPLETED', clientEventId: 'same-key' },
        }),
      ),
    );
    const outcomes = answers.map((a) => `${a.data.updateConversation.outcome}/${a.data.updateConversation.duplicate}`);
    expect(outcomes.sort()).toEqual(['UPDATED/false', ...Array(7).fill('UPDATED/true')]);
    const [{ n }] = await server.app.dataSource.query(
      "SELECT COUNT(*) AS n FROM conversation_update WHERE client_event_id = 'same-key'",
    );
    expect(Number(n)).toBe(1);
  });

  it('a booking cancelled and rescheduled under concurrent recording leaves one latest status', async () => {
    const LIST = `mutation($input: SmartListInput!) { createSmartList(input: $input) { id } }`;
    const on = await server.gql(LIST, {
      input: {
        name: 'still on',
        filters: [
          { activity: 'MEETING_SCHEDULED', constraints: { meetingCurrentStatus: ['SCHEDULED', 'RESCHEDULED'] } },
        ],
      },
    });
    const off = await server.gql(LIST, {
      input: {
        name: 'called off',
        filters: [{ activity: 'MEETING_SCHEDULED', constraints: { meetingCurrentStatus: ['CANCELLED'] } }],
      },
    });
    const MEMBERS = `query($id: ID!) { smartList(id: $id) { members(first: 100) { edges { node { email } } } } }`;
    const members = async (id: string) =>
      ((await server.gql(MEMBERS, { id })).data.smartList.members.edges as Array<{ node: { email: string } }>)
        .map((e) => e.node.email)
        .sort();

    const base = Date.now() - 60 * 60_000;
    const startsAt = new Date(Date.now() + 86_400_000).toISOString();
    const expected = { on: [] as string[], off: [] as string[] };
    for (let booking = 0; booking < 6; booking += 1) {
      const email = `booker-${booking}@example.com`;
      // Scheduled, then a reschedule and a cancellation, occurring in an order that differs per booking,
      // all sent at once (and a few times over, as a retrying widget would).
      const steps = [
        { status: 'SCHEDULED', at: base },
        { status: 'RESCHEDULED', at: base + (booking % 2 === 0 ? 2 : 1) * 60_000 },
        { status: 'CANCELLED', at: base + (booking % 2 === 0 ? 1 : 2) * 60_000 },
      ];
      const latest = steps.reduce((a, b) => (b.at > a.at ? b : a));
      (latest.status === 'CANCELLED' ? expected.off : expected.on).push(email);
      const calls = [...steps, ...steps].map((step, i) =>
        server.gql(RECORD, {
          input: {
            type: 'MEETING_SCHEDULED',
            visitorId: `booker-${booking}-${i % 3}`,
            sessionId: 's',
            chat,
            occurredAt: new Date(step.at).toISOString(),
            clientEventId: `booking-${booking}-${step.status}`,
            meeting: {
              id: `booking-${booking}`,
              status: step.status,
              startsAt,
              agent: { id: 'agent-kim', name: 'Kim Lee' },
            },
            person: { email },
          },
        }),
      );
      for (const answer of await Promise.all(calls)) expect(answer.errors).toBeUndefined();
      // Every row keeps its own status: three rows, one per step.
      const rows: Array<{ meeting_status: string }> = await server.app.dataSource.query(
        'SELECT meeting_status FROM activity WHERE meeting_id = ? ORDER BY meeting_status',
        [`booking-${booking}`],
      );
      expect(rows.map((r) => r.meeting_status)).toEqual(['CANCELLED', 'RESCHEDULED', 'SCHEDULED']);
    }
    expect(await members(on.data.createSmartList.id)).toEqual(expected.on.sort());
    expect(await members(off.data.createSmartList.id)).toEqual(expected.off.sort());
  });
});
