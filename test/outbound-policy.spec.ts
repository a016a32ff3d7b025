import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { isPublicAddress, outboundUrlProblem } from '../src/shared/outbound';
import { activeCampaign, CREATE_CAMPAIGN, campaignInput } from './helpers/campaign-fixtures';
import { startReceiver } from './helpers/delivery-receiver';
import { recordMutation } from './helpers/record';
import { NO_RATE_LIMITS, startTestServer, type TestServer } from './helpers/server';

/** Every way of writing "inside" that the adversarial run tried, and a few more. */
const INSIDE = [
  'http://127.0.0.1/hook',
  'http://localhost/hook',
  'http://LOCALHOST./hook',
  'http://api.localhost/hook',
  'http://[::1]/hook',
  'http://169.254.169.254/latest/meta-data/',
  'http://metadata.google.internal/computeMetadata/v1/',
  'http://10.1.2.3/hook',
  'http://192.168.0.10/hook',
  'http://172.16.5.4/hook',
  'http://100.64.0.1/hook',
  'http://0.0.0.0/hook',
  'http://2130706433/hook',
  'http://0x7f.0.0.1/hook',
  'http://017700000001/hook',
  'http://127.1/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://[::ffff:a9fe:a9fe]/hook',
  'http://[fd00::1]/hook',
  'http://[fe80::1]/hook',
  'https://[::]/hook',
];

describe('outbound addresses (unit)', () => {
  it.each(INSIDE)('refuses %s as written', (url) => {
    expect(outboundUrlProblem(url, { allowPrivate: false })).not.toBeNull();
    expect(outboundUrlProblem(url, { allowPrivate: true })).toBeNull();
  });

  it.each(['https://hooks.example.com/x', 'http://93.184.216.34/x', 'https://[2606:4700::1111]/x'])(
    'accepts %s',
    (url) => {
      expect(outboundUrlProblem(url, { allowPrivate: false })).toBeNull();
    },
  );

  it('classifies addresses, IPv4-mapped IPv6 as the IPv4 it carries', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('::ffff:8.8.8.8')).toBe(true);
    for (const address of [
      '127.0.0.1',
      '::1',
      '::ffff:10.0.0.1',
      '169.254.1.1',
      '100.100.1.1',
      'fc00::1',
      '224.0.0.1',
      'not an ip',
    ])
      expect({ address, public: isPublicAddress(address) }).toEqual({ address, public: false });
  });
});

describe('webhook and Sales Insight URLs cannot reach inside', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      config: {
        outboundAllowPrivate: false,
        rateLimits: { ...NO_RATE_LIMITS },
        delivery: { pollMs: 50, maxAttempts: 1, timeoutMs: 2_000, backoffBaseMs: 10, concurrency: 4 },
      },
    });
  });
  afterAll(() => server.stop());

  const webhookCampaign = (url: string) => campaignInput({ flow: [{ action: 'WEBHOOK', webhookUrl: url }] });

  it.each(INSIDE)('refuses %s when a campaign or the Sales Insight settings set it (BAD_USER_INPUT)', async (url) => {
    const campaign = await server.gql(CREATE_CAMPAIGN, { input: webhookCampaign(url) });
    expect(campaign.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'WEBHOOK_URL_NOT_ALLOWED',
      field: ['input', 'flow', '0', 'webhookUrl'],
    });
    const settings = await server.gql(
      'mutation($input: SalesInsightSettingsInput!) { updateSalesInsightSettings(input: $input) { enabled } }',
      { input: { enabled: false, endpointUrl: url } },
    );
    expect(settings.errors?.[0].extensions).toMatchObject({
      reason: 'ENDPOINT_URL_NOT_ALLOWED',
      field: ['input', 'endpointUrl'],
    });
  });

  it('refuses the same over WebSocket', async () => {
    const result = await new Promise<any>((resolve) => {
      let value: unknown;
      server
        .wsClient()
        .subscribe(
          { query: CREATE_CAMPAIGN, variables: { input: webhookCampaign('http://169.254.169.254/') } },
          { next: (v) => (value = v), error: (e) => resolve({ errors: e }), complete: () => resolve(value) },
        );
    });
    expect(result.errors?.[0].extensions).toMatchObject({ reason: 'WEBHOOK_URL_NOT_ALLOWED' });
  });

  it('refuses, when sending, a name that resolves to this machine, and never connects to it', async () => {
    const name = hostname();
    const addresses = await lookup(name, { all: true });
    // The test needs a name of this machine that no rule knows by name: its hostname, resolved by /etc/hosts.
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.every((a) => !isPublicAddress(a.address))).toBe(true);
    const receiver = await startReceiver();
    try {
      const url = receiver.url.replace('127.0.0.1', name);
      expect(outboundUrlProblem(url, { allowPrivate: false })).toBeNull();
      await activeCampaign(server, { flow: [{ action: 'WEBHOOK', webhookUrl: url }] });
      const recorded = await server.gql(recordMutation('outcome activity { id }'), {
        input: {
          type: 'GOAL_ACHIEVED',
          goal: 'g',
          visitorId: 'v-ssrf',
          sessionId: 's',
          chat: { kind: 'DIALOGUE', id: 'c', name: 'C' },
        },
      });
      expect(recorded.data.recordChatActivity.outcome).toBe('RECORDED');
      let delivery: any;
      for (let i = 0; i < 100 && delivery?.status !== 'DEAD'; i += 1) {
        const res = await server.gql('{ deliveries(kind: WEBHOOK) { edges { node { status attempts lastError } } } }');
        delivery = res.data.deliveries.edges[0]?.node;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(delivery).toMatchObject({ status: 'DEAD', attempts: 1 });
      expect(delivery.lastError).toMatch(/^refused: .* resolves to a private, loopback or reserved address/);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });
});
