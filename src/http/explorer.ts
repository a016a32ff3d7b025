import { readdirSync, readFileSync, statSync, createReadStream } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import Negotiator from 'negotiator';

/**
 * The API explorer: Altair (the `altair-static` package's prebuilt app),
 * served from this server's own origin, so it works offline and under a
 * Content-Security-Policy that allows nothing else. A browser asking for
 * HTML on GET /graphql gets the page; its files are under
 * `<path>/explorer/`. Altair was chosen over the GraphiQL builds for its
 * size and its graphql-ws support (README, "API explorer").
 */
const ALTAIR_DIR = join(dirname(require.resolve('altair-static/package.json')), 'build', 'dist');
const ALTAIR_VERSION = (
  JSON.parse(readFileSync(join(ALTAIR_DIR, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** Our start-up script, beside Altair's files: inline scripts would need 'unsafe-inline'. */
const INIT_SCRIPT_NAME = 'dca-explorer.js';

/**
 * Starts Altair on the page's own URL, over HTTP and graphql-ws. The API
 * key is one environment variable, `apiKey`, that both the Authorization
 * header and the WebSocket's `connectionParams.authorization` read, so it is
 * entered once (Environments, top right) and reaches both transports.
 */
const INIT_SCRIPT = `// Starts the Dynamic Chat API explorer (Altair) on the page's own URL.
const endpoint = location.origin + location.pathname;
const subscriptions = endpoint.replace(/^http/, 'ws');
AltairGraphQL.init({
  initialName: 'Dynamic Chat API',
  endpointURL: endpoint,
  subscriptionsEndpoint: subscriptions,
  initialSubscriptionRequestHandlerId: 'graphql-ws',
  initialHeaders: { Authorization: 'Bearer {{apiKey}}' },
  initialSubscriptionsPayload: { authorization: 'Bearer {{apiKey}}' },
  initialEnvironments: { base: { title: 'API key', variables: { apiKey: '' } } },
  initialQuery: [
    '# Your API key goes in the environment (top right: Environments, then the global one):',
    '#   { "apiKey": "dca_…" }',
    '# Queries send it as "Authorization: Bearer …"; subscriptions (graphql-ws) as',
    '# connectionParams.authorization.',
    '{',
    '  viewer {',
    '    workspace { id name }',
    '    apiKey { name scopes }',
    '  }',
    '}',
    '',
  ].join('\\n'),
  disableAccount: true,
  initialSettings: {
    'alert.disableUpdateNotification': true,
    'banners.disable': true,
    'plugin.list': [],
    'schema.reloadOnStart': true,
  },
});
`;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.md': 'text/markdown; charset=utf-8',
};

interface AssetFile {
  absolute: string;
  size: number;
  contentType: string;
  /** Altair's pre-request script sandbox: its own, stricter policy (an opaque origin). */
  sandboxed: boolean;
}

/** Every file of the Altair build, by its path under the dist folder: only these are ever served. */
function listAssets(root: string): Map<string, AssetFile> {
  const files = new Map<string, AssetFile>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const absolute = join(entry.parentPath, entry.name);
    const path = relative(root, absolute).split(sep).join('/');
    if (path === 'index.html') continue;
    files.set(path, {
      absolute,
      size: statSync(absolute).size,
      contentType: CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
      sandboxed: path.split('/').includes('iframe-sandbox'),
    });
  }
  return files;
}

const SAFE_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * Only this origin: scripts, workers, frames, images and fonts from here;
 * requests to here, over HTTP and WebSocket. Styles need 'unsafe-inline'
 * (Angular and the editor inject <style> elements at run time); scripts do
 * not. The WebSocket origin is named because older browsers do not read
 * 'self' as covering ws:/wss:.
 */
export function explorerCsp(request: FastifyRequest, sandboxed = false): string {
  const host = request.host;
  const wsOrigin = SAFE_HOST.test(host) ? ` ${request.protocol === 'https' ? 'wss' : 'ws'}://${host}` : '';
  return [
    ...(sandboxed ? ['sandbox allow-scripts'] : []),
    "default-src 'self'",
    "script-src 'self'",
    "script-src-attr 'none'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${wsOrigin}`,
    "worker-src 'self'",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/** Whether a GET prefers HTML to a GraphQL answer (a browser's navigation), as Apollo decides for its landing page. */
function prefersHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  if (request.method !== 'GET' || !accept) return false;
  return (
    new Negotiator({ headers: { accept } }).mediaType([
      'application/json',
      'application/graphql-response+json',
      'multipart/mixed',
      'text/html',
    ]) === 'text/html'
  );
}

export interface ExplorerOptions {
  /** The GraphQL path; the explorer's files are under `<path>/explorer/`. */
  path: string;
}

export interface Explorer {
  /** Registers the routes of the explorer's files. */
  plugin: FastifyPluginCallback;
  /** An onRequest hook for the GraphQL route: a browser's GET gets the page, before authentication or Apollo. */
  page: onRequestAsyncHookHandler;
}

export function explorer({ path }: ExplorerOptions): Explorer {
  const base = `${path}/explorer/`;
  const assets = listAssets(ALTAIR_DIR);
  const html = readFileSync(join(ALTAIR_DIR, 'index.html'), 'utf8')
    .replace(/<base href="[^"]*"\s*\/?>/, `<base href="${base}" />`)
    .replace(/<title>[^<]*<\/title>/, '<title>Dynamic Chat API explorer</title>')
    .replace('</body>', `<script type="module" src="${INIT_SCRIPT_NAME}"></script></body>`);
  if (!html.includes(`<base href="${base}"`)) throw new Error('altair-static: index.html has no <base> to rewrite');
  const etag = (what: string) => `"altair-${ALTAIR_VERSION}-${what}"`;

  const notModified = (request: FastifyRequest, reply: FastifyReply, tag: string): boolean => {
    reply.header('etag', tag).header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] !== tag) return false;
    void reply.code(304).send();
    return true;
  };

  const plugin: FastifyPluginCallback = (fastify, _options, done) => {
    fastify.get(`${base}*`, (request, reply) => {
      const name = (request.params as { '*': string })['*'];
      reply.header('content-security-policy', explorerCsp(request));
      if (name === INIT_SCRIPT_NAME) {
        if (notModified(request, reply, etag('init'))) return reply;
        return reply.type(CONTENT_TYPES['.js']).send(INIT_SCRIPT);
      }
      const asset = assets.get(name);
      if (!asset) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
      if (asset.sandboxed) reply.header('content-security-policy', explorerCsp(request, true));
      if (notModified(request, reply, etag(`${asset.size}-${name}`))) return reply;
      return reply
        .type(asset.contentType)
        .header('content-length', String(asset.size))
        .send(createReadStream(asset.absolute));
    });
    done();
  };

  const page: onRequestAsyncHookHandler = async (request, reply) => {
    if (!prefersHtml(request)) return;
    // Returning the reply ends the request here: neither authentication nor Apollo sees it.
    return reply
      .header('content-security-policy', explorerCsp(request))
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(html);
  };

  return { plugin, page };
}
