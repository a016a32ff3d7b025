import { CONCURRENCY, RUN_ID } from './config';
import { hammer } from './measure';
import type { BenchServer } from './server';

/** What the write scenarios send: one new activity per call. */
export const RECORD =
  'mutation($input: RecordChatActivityInput!) { recordChatActivity(input: $input) { outcome activity { id } } }';

let clientEventSeq = 0;

/** A GOAL_ACHIEVED activity with a new client event id, of one of 5 000 visitors (by `i`). */
export function recordInput(i: number) {
  return {
    clientEventId: `bench-${RUN_ID}-${clientEventSeq++}`,
    type: 'GOAL_ACHIEVED',
    visitorId: `bench-visitor-${i % 5_000}`,
    sessionId: `bench-session-${i % 20_000}`,
    chat: { kind: 'DIALOGUE', id: 'bench-chat', name: 'Bench dialogue' },
    pageUrl: 'https://example.com/pricing',
    goal: 'pricing-viewed',
  };
}

/** `recordChatActivity` from 64 clients for `seconds`, each call a new activity of one of 5 000 visitors. */
export const recordLoad = (server: BenchServer, seconds: number) =>
  hammer({
    url: server.url,
    key: server.key,
    connections: CONCURRENCY,
    seconds,
    body: (i) => JSON.stringify({ query: RECORD, variables: { input: recordInput(i) } }),
    verify: (body) => body.includes('"outcome":"RECORDED"'),
  });
