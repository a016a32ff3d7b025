import { globalId } from './helpers/ids';
import { loadConfig } from '../src/config';
import { startTestServer, type TestServer } from './helpers/server';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

function directives(csp: string | null): Map<string, string> {
  return new Map(
    (csp ?? '')
      .split(';')
      .map((directive) => directive.trim())
      .filter(Boolean)
      .map((directive) => {
        const [name, ...values] = directive.split(/\s+/);
        return [name, values.join(' ')] as const;
      }),
  );
}

describe('the API explorer (LANDING_PAGE)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { landingPage: true } });
  });
  afterAll(() => server.stop());

  it('answers a browser on GET /graphql with the page, under a policy that allows only this origin', async () => {
    const res = await fetch(server.url, { headers: { accept: BROWSER_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<base href="/graphql/explorer/" />');
    // Every script is a file of this origin: none inline, none elsewhere.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(body.trim()).toBe('');
      expect(attributes).toMatch(/src="[^":]+"/);
    }
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);

    const csp = directives(res.headers.get('content-security-policy'));
    const { host } = new URL(server.url);
    expect(Object.fromEntries(csp)).toMatchObject({
      'default-src': "'self'",
      'script-src': "'self'",
      'connect-src': `'self' ws://${host}`,
      'worker-src': "'self'",
      'object-src': "'none'",
      'base-uri': "'self'",
    });
    for (const [name, value] of csp) {
      if (name !== 'style-src') expect(value).not.toMatch(/unsafe-(inline|eval)/);
      // No host but this one's WebSocket origin: nothing is fetched from a CDN.
      expect(value.replace(`ws://${host}`, '')).not.toMatch(/[a-z]+:\/\/|\*/);
    }
  });

  it('serves the app and the start-up script from the package, and nothing outside it', async () => {
    const html = await (await fetch(server.url, { headers: { accept: BROWSER_ACCEPT } })).text();
    const base = new URL('/graphql/explorer/', server.url);
    for (const src of [...html.matchAll(/<script [^>]*src="([^"]+)"/g)].map((match) => match[1])) {
      const res = await fetch(new URL(src, base));
      expect([src, res.status, res.headers.get('content-type')]).toEqual([src, 200, 'text/javascript; charset=utf-8']);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    }
    const init = await (await fetch(new URL('dca-explorer.js', base))).text();
    expect(init).toContain("initialSubscriptionRequestHandlerId: 'graphql-ws'");
    expect(init).toContain("initialSubscriptionsPayload: { authorization: 'Bearer {{apiKey}}' }");
    const styles = await fetch(new URL('styles.css', base));
    expect([styles.status, styles.headers.get('content-type')]).toEqual([200, 'text/css; charset=utf-8']);
    // Revalidated, not refetched.
    const again = await fetch(new URL('styles.css', base), {
      headers: { 'if-none-match': styles.headers.get('etag')! },
    });
    expect(again.status).toBe(304);

    for (const path of ['nope.js', '..%2F..%2Fpackage.json', '%2e%2e/%2e%2e/package.json', 'index.html']) {
      expect([path, (await fetch(`${base.href}${path}`)).status]).toEqual([path, 404]);
    }
    const sandbox = await fetch(new URL('iframe-sandbox/index.html', base));
    expect(sandbox.status).toBe(200);
    expect(sandbox.headers.get('content-security-policy')).toMatch(/^sandbox allow-scripts; default-src 'self'/);
  });

  it('answers GraphQL clients on the same URL as before', async () => {
    const get = await fetch(`${server.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/graphql-response+json', 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { __typename: 'Query' } });
    const res = await server.gql<{ viewer: { workspace: { id: string } } }>('{ viewer { workspace { id } } }');
    expect(res.data?.viewer.workspace.id).toBe(globalId('Workspace', server.workspaceId));
  });
});

describe('LANDING_PAGE', () => {
  it('is on unless NODE_ENV=production, and the variable decides either way', () => {
    expect(loadConfig({}).landingPage).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).landingPage).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).landingPage).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', LANDING_PAGE: 'true' }).landingPage).toBe(true);
    expect(loadConfig({ LANDING_PAGE: 'false' }).landingPage).toBe(false);
  });

  it('off: a browser gets no page and the explorer files are not served', async () => {
    const server = await startTestServer({ config: { landingPage: false } });
    try {
      const res = await fetch(server.url, { headers: { accept: BROWSER_ACCEPT } });
      expect(res.headers.get('content-type')).not.toMatch(/text\/html/);
      expect((await fetch(new URL('/graphql/explorer/main.js', server.url))).status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});
