import { globalId } from './helpers/ids';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from './helpers/server';

/**
 * The explorer and the API as a browser uses them, in Debian's headless
 * Chromium with no network but this machine's: the explorer must load from
 * the server alone, run a query with a key and receive a subscription event
 * over graphql-ws; a page of another origin must reach the API with fetch
 * (CORS). `.ci/run` installs Chromium; without it these tests skip here.
 */
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(
    `test/browser.spec.ts: SKIPPED, no Chromium at ${CHROMIUM} (install it with: apt-get install -y chromium; CI does)`,
  );
}
// In CI a missing browser is a failure, not a skip.
const describeInBrowser = haveChromium || process.env.CI ? describe : describe.skip;

const RECORD = `mutation Record($visitorId: String!) {
  recordChatActivity(input: {
    type: TRIGGERED, visitorId: $visitorId, sessionId: "ses_browser"
    chat: { kind: DIALOGUE, id: "browser-dialogue", name: "Browser dialogue" }
  }) { activity { id streamCursor } }
}`;

interface Recorded {
  recordChatActivity: { activity: { id: string; streamCursor: string } };
}

/** Replaces the text of a CodeMirror editor as a user would: focus, select all, type. */
async function typeInto(page: Page, editor: string, text: string): Promise<void> {
  await page.locator(editor).first().click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

describeInBrowser(`in headless Chromium (${CHROMIUM})`, () => {
  let server: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let other: http.Server;
  let otherOrigin: string;
  /** Every request the browser tried to send off this machine's two test origins. */
  const outside: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    server = await startTestServer({
      config: {
        landingPage: true,
        rateLimits: { perKeyPerSecond: 0, unauthenticatedPerIpPerMinute: 0, subscriptionsPerConnection: 10 },
      },
    });
    other = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end('<!doctype html><html><head><title>another origin</title></head><body>another origin</body></html>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherOrigin = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    context = await browser.newContext();
    const allowed = new Set([new URL(server.url).origin, otherOrigin]);
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (allowed.has(new URL(url).origin)) return route.continue();
      outside.push(url);
      return route.abort('blockedbyclient');
    });
    context.on('weberror', (error) => problems.push(`page error: ${error.error().message}`));
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => other?.close(resolve));
    await server?.stop();
  });

  function watch(page: Page): void {
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content[- ]Security[- ]Policy/i.test(message.text()))
        problems.push(`console ${message.type()}: ${message.text()}`);
    });
  }

  it('opens the explorer from the server alone, runs a query with a key and receives a subscription event', async () => {
    const page = await context.newPage();
    watch(page);
    const sockets: string[] = [];
    const sent: string[] = [];
    page.on('websocket', (socket) => {
      sockets.push(socket.url());
      socket.on('framesent', (frame) => sent.push(String(frame.payload)));
    });
    const origin = new URL(server.url).origin;
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));

    await page.goto(server.url);
    await page.getByText('No environment').click();
    await page.getByText('Environments...').click();
    await typeInto(page, '.environments-editor-textarea .cm-content', JSON.stringify({ apiKey: server.adminKey }));
    await page.getByRole('button', { name: 'Save' }).click();

    await typeInto(page, 'app-query-editor .cm-content', 'query Viewer { viewer { workspace { id } } }');
    await page.getByRole('button', { name: 'Send Request' }).click();
    await page.locator('app-query-result').getByText(globalId('Workspace', server.workspaceId)).first().waitFor();

    // Subscribed after a known activity, so the next one arrives whether it is recorded before or after the
    // subscription is live (replayed, or live).
    const first = await server.gql<Recorded>(RECORD, { visitorId: 'vis_browser_1' });
    await typeInto(
      page,
      'app-query-editor .cm-content',
      `subscription Live { activityRecorded(after: ${JSON.stringify(first.data!.recordChatActivity.activity.streamCursor)}) { id type } }`,
    );
    await page.getByRole('button', { name: 'Send Request' }).click();
    const second = await server.gql<Recorded>(RECORD, { visitorId: 'vis_browser_2' });
    const secondId = second.data!.recordChatActivity.activity.id;
    await page.locator('app-query-result').getByText(secondId).first().waitFor();

    expect(sockets).toEqual([`${origin.replace(/^http/, 'ws')}/graphql`]);
    const init = sent
      .map((frame) => JSON.parse(frame) as { type: string; payload?: unknown })
      .find((m) => m.type === 'connection_init');
    expect(init?.payload).toEqual({ authorization: `Bearer ${server.adminKey}` });
    expect(requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'))).toEqual([]);
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('calls the API with fetch from a page of another origin, sending trace context (CORS)', async () => {
    // A context of its own without request interception: Playwright answers the CORS preflights of routed
    // requests itself, and the browser must ask the server. What it requests is still watched.
    const plain = await browser.newContext();
    const requested: string[] = [];
    plain.on('request', (request) => requested.push(`${request.method()} ${request.url()}`));
    const page = await plain.newPage();
    watch(page);
    await page.goto(`${otherOrigin}/`);
    const result = await page.evaluate(
      async ({ url, key }) => {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json,application/json;q=0.9',
            authorization: `Bearer ${key}`,
            traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
            tracestate: 'vendor=browser-test',
            'apollographql-client-name': 'browser-test',
            'apollographql-client-version': '1.0.0',
            'x-apollo-operation-name': 'Viewer',
          },
          body: JSON.stringify({ query: 'query Viewer { viewer { workspace { id } } }' }),
        });
        return { status: res.status, requestId: res.headers.get('x-request-id'), body: await res.json() };
      },
      { url: server.url, key: server.adminKey },
    );
    expect(result).toEqual({
      status: 200,
      requestId: expect.any(String) as unknown,
      body: { data: { viewer: { workspace: { id: globalId('Workspace', server.workspaceId) } } } },
    });
    expect(requested).toEqual([`GET ${otherOrigin}/`, `POST ${server.url}`]);
    expect(problems).toEqual([]);
    await plain.close();
  });
});
