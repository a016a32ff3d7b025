import type { TestServer } from './server';

/**
 * Recording activities through the API, as the specs do it: the mutation documents and the calls. A spec that
 * asserts on a response's exact shape, or sends it elsewhere than a TestServer, builds its document with
 * recordMutation / recordManyMutation.
 */

/** `recordChatActivity` answering with `selection` of its payload. */
export const recordMutation = (selection: string): string =>
  `mutation($input: RecordChatActivityInput!) { recordChatActivity(input: $input) { ${selection} } }`;

/** `recordChatActivities` answering with `selection` of each result. */
export const recordManyMutation = (selection: string): string =>
  `mutation($inputs: [RecordChatActivityInput!]!) { recordChatActivities(inputs: $inputs) { ${selection} } }`;

/** Every field of a recorded activity, on each of the six types. */
export const ACTIVITY_FIELDS = `id type occurredAt recordedAt visitorId sessionId pageUrl clientEventId chat { kind id: widgetId name }
  person { id email known score }
  ... on ChatEngagedActivity { prompt }
  ... on AgentEngagedActivity { agent { id: widgetId name } }
  ... on DocumentInteractedActivity { document { id: widgetId name url } }
  ... on GoalAchievedActivity { goal }
  ... on MeetingScheduledActivity { meeting { startsAt durationMinutes status agent { id: widgetId name } } }`;

export const RECORD = recordMutation(`outcome activity { ${ACTIVITY_FIELDS} }`);
export const RECORD_MANY = recordManyMutation(
  `index error { code message field } payload { outcome activity { ${ACTIVITY_FIELDS} } }`,
);

/** A recording's payload as RECORD asks for it (the type-specific fields where the type has them). */
export interface Recorded {
  outcome: string;
  activity: {
    id: string;
    type: string;
    occurredAt: string;
    recordedAt: string;
    visitorId: string;
    sessionId: string;
    pageUrl: string | null;
    clientEventId: string | null;
    chat: { kind: string; id: string; name: string };
    person: { id: string; email: string | null; known: boolean; score: number };
    [typeSpecific: string]: unknown;
  };
}

/** One result of a batch as RECORD_MANY asks for it. */
export interface RecordedItem {
  index: number;
  error: { code: string; message: string; field: string[] | null } | null;
  payload: Recorded | null;
}

/** Records one activity with `key` (the admin key by default); the spec fails on a GraphQL error. */
export async function record(server: TestServer, input: Record<string, unknown>, key?: string): Promise<Recorded> {
  const res = await server.gql<{ recordChatActivity: Recorded }>(RECORD, { input }, key);
  expect(res.errors).toBeUndefined();
  return res.data!.recordChatActivity;
}

/** Records a batch with `key` (the admin key by default); the spec fails on a GraphQL error, not on an item's. */
export async function recordMany(
  server: TestServer,
  inputs: Array<Record<string, unknown>>,
  key?: string,
): Promise<RecordedItem[]> {
  const res = await server.gql<{ recordChatActivities: RecordedItem[] }>(RECORD_MANY, { inputs }, key);
  expect(res.errors).toBeUndefined();
  return res.data!.recordChatActivities;
}
