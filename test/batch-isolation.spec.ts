import pino from 'pino';
import type { ActivityRecordedHook } from '../src/activity/activity-hooks';
import { RECORD, recordManyMutation } from './helpers/record';

const RECORD_MANY = recordManyMutation('index error { code message field requestId } payload { outcome }');
import { NO_RATE_LIMITS, startTestServer, type TestServer } from './helpers/server';

const chat = { kind: 'DIALOGUE', id: 'c', name: 'C' };
const input = (visitorId: string) => ({ type: 'GOAL_ACHIEVED', goal: 'g', visitorId, sessionId: 's', chat });

/**
 * A fault injected through the write path's own extension point: a hook that throws in the recording
 * transaction whenever the batch holds an activity of a visitor the test chose, as a bug or a driver
 * failure tied to one item would.
 */
const poisonHook = (poisoned: (visitorId: string) => boolean): ActivityRecordedHook => ({
  prepare: (_tx, batch) => {
    if (batch.activities.some((activity) => poisoned(activity.visitorId))) {
      return Promise.reject(new Error('injected fault: this item breaks the batch write'));
    }
    return Promise.resolve({ updatesPeople: false, recorded: () => Promise.resolve() });
  },
});

describe('one item whose write fails', () => {
  let server: TestServer;
  const lines: Array<Record<string, any>> = [];
  beforeAll(async () => {
    const log = pino({ level: 'error' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    server = await startTestServer({
      log,
      config: { rateLimits: { ...NO_RATE_LIMITS, subscriptionsPerConnection: 10 } },
    });
    server.app.services.activities.registerHook(poisonHook((visitorId) => visitorId.startsWith('poison')));
  });
  afterAll(() => server.stop());

  const stored = async (visitorIds: string[]) =>
    (
      await server.app.dataSource.query<Array<{ visitor_id: string }>>(
        `SELECT visitor_id FROM activity WHERE visitor_id IN (${visitorIds.map(() => '?').join(', ')})`,
        visitorIds,
      )
    )
      .map((r) => r.visitor_id)
      .sort();

  it('fails alone in recordChatActivities: its siblings are stored and answered as if it were not there', async () => {
    const visitors = Array.from({ length: 10 }, (_, i) => (i === 3 ? 'poison-batch' : `batch-${i}`));
    const res = await server.gql(RECORD_MANY, { inputs: visitors.map(input) });
    expect(res.errors).toBeUndefined();
    const results = res.data.recordChatActivities;
    results.forEach((result: any, i: number) => {
      if (i === 3) {
        expect(result.payload).toBeNull();
        expect(result.error).toEqual({
          code: 'INTERNAL_SERVER_ERROR',
          message: 'Internal server error',
          field: ['inputs', '3'],
          requestId: res.headers.get('x-request-id'),
        });
        const line = lines.find((l) => l.requestId === result.error.requestId);
        expect(line?.err?.message).toBe('injected fault: this item breaks the batch write');
      } else {
        expect(result.error).toBeNull();
        expect(result.payload.outcome).toBe('RECORDED');
      }
    });
    expect(await stored(visitors)).toEqual(visitors.filter((v) => v !== 'poison-batch').sort());
  });

  it('fails alone among coalesced recordChatActivity calls, masked, and logged', async () => {
    const visitors = Array.from({ length: 20 }, (_, i) => (i === 7 ? 'poison-single' : `single-${i}`));
    const answers = await Promise.all(visitors.map((visitorId) => server.gql(RECORD, { input: input(visitorId) })));
    answers.forEach((answer, i) => {
      if (i === 7) {
        expect(answer.data).toBeNull();
        expect(answer.errors?.[0].message).toBe('Internal server error');
        expect(answer.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
        // The masked error names its request, and the log line with the cause is under the same id.
        const requestId = answer.headers.get('x-request-id');
        expect(answer.errors?.[0].extensions?.requestId).toBe(requestId);
        const line = lines.find((l) => l.requestId === requestId);
        expect(line?.err?.message).toBe('injected fault: this item breaks the batch write');
      } else {
        expect(answer.errors).toBeUndefined();
        expect(answer.data.recordChatActivity.outcome).toBe('RECORDED');
      }
    });
    expect(await stored(visitors)).toEqual(visitors.filter((v) => v !== 'poison-single').sort());
    expect(lines.some((l) => l.err?.message === 'injected fault: this item breaks the batch write')).toBe(true);
  });
});
