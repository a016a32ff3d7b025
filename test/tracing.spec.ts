import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { startChildServer } from './helpers/child-server';
import { startReceiver } from './helpers/delivery-receiver';
import type { ExportedSpan } from './fixtures/traced-server';

const ROOT = join(__dirname, '..');
const KEY = `dca_test_${randomBytes(16).toString('hex')}`;
const SPAN_KIND = { SERVER: 1, CLIENT: 2 };

interface Traced {
  child: ChildProcess;
  url: string;
  spans(): Promise<ExportedSpan[]>;
  stop(): Promise<void>;
}

/** test/fixtures/traced-server.ts in its own process: instrumentation patches modules at load, so jest's cannot be. */
async function startTraced(database: TestDatabase): Promise<Traced> {
  const child = fork(join(__dirname, 'fixtures', 'traced-server.ts'), [], {
    cwd: ROOT,
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
      DATABASE_URL: database.config.kind === 'mysql' ? database.config.url : `sqlite:${database.config.url}`,
      BOOTSTRAP_API_KEY: KEY,
      LOG_LEVEL: 'silent',
      DELIVERY_POLL_MS: '50',
      RATE_LIMIT_PER_KEY_PER_SECOND: '0',
      // The webhook receiver is this machine's loopback.
      OUTBOUND_ALLOW_PRIVATE: 'true',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { type: string; port: number }) => resolve(message.port));
    child.once('exit', (code) => reject(new Error(`traced server exited with ${code}`)));
  });
  return {
    child,
    url: `http://127.0.0.1:${port}/graphql`,
    spans: () =>
      new Promise((resolve) => {
        child.once('message', (message: { spans: ExportedSpan[] }) => resolve(message.spans));
        child.send({ type: 'spans' });
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}

async function gql<T = Record<string, { id: string; outcome?: string }>>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

/** The SQL of a statement's span (mysql2 and better-sqlite3 both name it db.query.text). */
const queryText = (span: ExportedSpan): string => {
  const text = span.attributes['db.query.text'];
  return typeof text === 'string' ? text : '';
};

describe('OpenTelemetry tracing', () => {
  let database: TestDatabase;
  let traced: Traced;
  beforeAll(async () => {
    database = await createTestDatabase();
    traced = await startTraced(database);
  });
  afterAll(async () => {
    await traced?.stop();
    await database.drop();
  });

  it('continues an incoming traceparent through the operation and its INSERT, and the webhook delivery carries the trace', async () => {
    const receiver = await startReceiver();
    try {
      const created = await gql(
        traced.url,
        'mutation($input: CampaignInput!) { createCampaign(input: $input) { id } }',
        {
          input: {
            name: 'traced',
            triggers: [{ activity: 'GOAL_ACHIEVED' }],
            flow: [{ action: 'WEBHOOK', webhookUrl: receiver.url }],
          },
        },
      );
      await gql(traced.url, 'mutation($id: ID!) { activateCampaign(id: $id) { id } }', {
        id: created.createCampaign.id,
      });

      const traceId = randomBytes(16).toString('hex');
      const callerSpanId = randomBytes(8).toString('hex');
      const recorded = await gql(
        traced.url,
        'mutation Record($input: RecordChatActivityInput!) { recordChatActivity(input: $input) { outcome } }',
        {
          input: {
            type: 'GOAL_ACHIEVED',
            goal: 'traced',
            visitorId: 'v-traced',
            sessionId: 's-traced',
            chat: { kind: 'DIALOGUE', id: 'c', name: 'C' },
          },
        },
        { traceparent: `00-${traceId}-${callerSpanId}-01` },
      );
      expect(recorded.recordChatActivity.outcome).toBe('RECORDED');

      const [delivery] = await receiver.waitFor(1);
      const header = String(delivery.headers.traceparent ?? '');
      expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      expect(header.split('-')[1]).toBe(traceId);

      // The client span of the POST ends once the response is read: ask until it is there.
      let spans: ExportedSpan[] = [];
      for (let i = 0; i < 50; i += 1) {
        spans = (await traced.spans()).filter((span) => span.traceId === traceId);
        if (spans.some((span) => span.kind === SPAN_KIND.CLIENT && span.spanId === header.split('-')[2])) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const byId = new Map(spans.map((span) => [span.spanId, span]));
      const descendsFrom = (span: ExportedSpan, ancestor: ExportedSpan) => {
        for (let at = span.parentSpanId; at; at = byId.get(at)?.parentSpanId) if (at === ancestor.spanId) return true;
        return false;
      };
      const names = spans.map((span) => span.name);

      const server = spans.find((span) => span.kind === SPAN_KIND.SERVER && span.parentSpanId === callerSpanId);
      expect(server).toBeDefined();
      const operation = spans.find((span) => span.name === 'mutation Record');
      expect(names).toContain('mutation Record');
      expect(descendsFrom(operation!, server!)).toBe(true);
      const insert = spans.find((span) => /^\s*INSERT\b[^(]*\bINTO activity\b/i.test(queryText(span)));
      expect(spans.map(queryText).filter(Boolean)).toContainEqual(expect.stringMatching(/INTO activity\b/));
      expect(descendsFrom(insert!, operation!)).toBe(true);

      // The delivery: its attempt's span continues the recording's trace, and the POST's span is what the receiver saw.
      const attempt = spans.find((span) => span.name === 'delivery WEBHOOK');
      expect(attempt).toBeDefined();
      const post = byId.get(header.split('-')[2]);
      expect(post).toMatchObject({ kind: SPAN_KIND.CLIENT });
      expect(descendsFrom(post!, attempt!)).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it("is on in the real entry point with OTEL_EXPORTER_OTLP_ENDPOINT: spans reach the OTLP endpoint, in the caller's trace", async () => {
    const collector = await startReceiver();
    const own = await createTestDatabase();
    const server = await startChildServer(own.config, {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collector.port}`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      BOOTSTRAP_API_KEY: KEY,
    });
    try {
      const traceId = randomBytes(16).toString('hex');
      await gql(
        server.url,
        'query Who { viewer { workspace { id } } }',
        {},
        { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
      );
      const deadline = Date.now() + 15_000;
      while (!collector.received.some((r) => r.body.includes(traceId)) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      const exported = collector.received.find((r) => r.body.includes(traceId));
      expect(exported).toBeDefined();
      expect(exported!.headers['content-type']).toContain('application/json');
      expect(exported!.body).toContain('query Who');
    } finally {
      server.process.kill('SIGTERM');
      await server.exited;
      await collector.close();
      await own.drop();
    }
  });
});
