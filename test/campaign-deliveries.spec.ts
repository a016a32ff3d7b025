import { rawId } from './helpers/ids';
import { eventually, startReceiver, verifySignature } from './helpers/delivery-receiver';
import { activeCampaign, goal, unique } from './helpers/campaign-fixtures';
import { record } from './helpers/record';
import { startTestServer, type TestServer } from './helpers/server';

const SECRET = 'campaign-receiver-secret';
const SETTINGS = `mutation($input: SalesInsightSettingsInput!) { updateSalesInsightSettings(input: $input) { enabled } }`;
const DELIVERIES = `{ deliveries(first: 100) { edges { node { id kind status campaignRun { id campaign { id } activity { id } person { id } } } } } }`;

/** Campaign flow steps through the outbox to real receivers: the two features end to end. */
describe('campaign steps delivered through the outbox', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      config: { delivery: { pollMs: 100, maxAttempts: 4, timeoutMs: 1_000, backoffBaseMs: 20, concurrency: 8 } },
    });
  });
  afterAll(() => server.stop());

  it('sends an INTERESTING_MOMENT to Sales Insight and a WEBHOOK to its URL, signed, once per run, naming the run', async () => {
    const salesInsight = await startReceiver();
    const webhook = await startReceiver();
    try {
      const { adminKey: key } = await server.createWorkspace(unique('workspace'));
      const settings = await server.gql(
        SETTINGS,
        { input: { enabled: true, endpointUrl: salesInsight.url, signingSecret: SECRET, activityTypes: [] } },
        key,
      );
      expect(settings.errors).toBeUndefined();
      const campaignId = await activeCampaign(
        server,
        {
          triggers: [{ activity: 'GOAL_ACHIEVED', constraints: { goal: { is: ['demo'] } } }],
          flow: [
            { action: 'INTERESTING_MOMENT', description: 'Asked for a demo' },
            { action: 'WEBHOOK', webhookUrl: webhook.url, conditions: [{ chat: { is: ['chat-1'] } }] },
          ],
        },
        key,
      );
      const visitor = unique('visitor');
      const first = await record(server, goal(visitor, 'demo'), key);
      const second = await record(server, goal(visitor, 'demo'), key);
      await record(server, goal(visitor, 'not-a-trigger'), key);

      const moments = await salesInsight.waitFor(2);
      const hooks = await webhook.waitFor(2);
      for (const request of [...moments, ...hooks]) {
        expect(verifySignature(SECRET, request.body, request.headers['x-signature'])).toBe(true);
        expect(JSON.parse(request.body).deliveryId).toBe(request.headers['x-delivery-id']);
      }
      const bodies = [...moments, ...hooks].map((r) => JSON.parse(r.body));
      expect(bodies.map((b) => b.kind).sort()).toEqual([
        'INTERESTING_MOMENT',
        'INTERESTING_MOMENT',
        'WEBHOOK',
        'WEBHOOK',
      ]);
      for (const body of bodies) {
        // Delivery bodies carry raw ids.
        expect(body.data.campaign.id).toBe(rawId(campaignId));
        expect(body.data.personId).toBe(rawId(first.activity.person.id));
        expect(body.campaignRunId).toBe(body.data.run.id);
      }
      expect(bodies.filter((b) => b.kind === 'INTERESTING_MOMENT').map((b) => b.data.description)).toEqual([
        'Asked for a demo',
        'Asked for a demo',
      ]);
      expect(new Set(bodies.filter((b) => b.kind === 'WEBHOOK').map((b) => b.activityId))).toEqual(
        new Set([rawId(first.activity.id), rawId(second.activity.id)]),
      );
      // `activity` in the same shape as an ACTIVITY delivery's data, with the person's summary and nothing more.
      for (const body of bodies) {
        expect(body.data.activity).toMatchObject({
          id: body.activityId,
          type: 'GOAL_ACHIEVED',
          goal: 'demo',
          chat: { id: 'chat-1' },
        });
        expect(Object.keys(body.data.activity.person).sort()).toEqual([
          'company',
          'email',
          'firstName',
          'id',
          'lastName',
        ]);
        expect(body.data.activity.person.id).toBe(rawId(first.activity.person.id));
      }

      // The API shows each as DELIVERED with its run; nothing else was sent.
      const delivered = await eventually(async () => {
        const nodes = (await server.gql(DELIVERIES, {}, key)).data.deliveries.edges.map((e: any) => e.node);
        return nodes.length === 4 && nodes.every((n: any) => n.status === 'DELIVERED') && nodes;
      });
      for (const node of delivered)
        expect(node.campaignRun).toMatchObject({
          campaign: { id: campaignId },
          person: { id: first.activity.person.id },
        });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(salesInsight.received).toHaveLength(2);
      expect(webhook.received).toHaveLength(2);
    } finally {
      await salesInsight.close();
      await webhook.close();
    }
  });
});
