import { randomBytes } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig, type Config, type RateLimitConfig } from '../../src/config';
import { createLogger, type Logger } from '../../src/shared/logger';
import { createApp, GRAPHQL_PATH, type App } from '../../src/server';
import { createTestDatabase, type TestDatabase } from './database';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>;
  headers: Headers;
}

export interface TestServer {
  app: App;
  url: string;
  wsUrl: string;
  /** Secret of the bootstrap admin key (all scopes) of the first workspace. */
  adminKey: string;
  workspaceId: string;
  database: TestDatabase;
  /** POSTs a GraphQL operation over HTTP; `key` null sends no Authorization header. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, key?: string | null): Promise<GraphQLResponse<T>>;
  /** A graphql-ws client authenticated with `key` (the admin key by default). Closed by stop(). */
  wsClient(key?: string | null, options?: { retryAttempts?: number }): Client;
  /** Creates a second workspace with an admin key; returns its secret and id. */
  createWorkspace(name?: string): Promise<{ workspaceId: string; adminKey: string }>;
  /** Creates a key in a workspace with the given scopes; returns its secret. */
  createKey(workspaceId: string, scopes: string[], name?: string): Promise<string>;
  stop(): Promise<void>;
}

/** Every request budget off (rate-limit.spec.ts tests the budgets themselves). */
export const NO_RATE_LIMITS: Partial<RateLimitConfig> = {
  perKeyPerSecond: 0,
  unauthenticatedPerIpPerMinute: 0,
  publicPerIpPerSecond: 0,
  publicPerVisitorPerSecond: 0,
  publicPerWorkspacePerSecond: 0,
};

export interface StartOptions {
  /** Reuse a database (e.g. a second instance on the same data); a fresh one by default. */
  database?: TestDatabase;
  /** Overrides of the defaults; `rateLimits` is merged field by field. */
  config?: Partial<Omit<Config, 'rateLimits'>> & { rateLimits?: Partial<RateLimitConfig> };
  /** The bootstrap secret; pass the first instance's adminKey when sharing its database. */
  adminKey?: string;
  /** Pins the delivery worker's jitter (see CreateAppOptions). */
  deliveryRandom?: () => number;
  /** The server's logger (helpers/logs.ts captures one); TEST_LOG_LEVEL on stdout by default. */
  log?: Logger;
}

export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const database = options.database ?? (await createTestDatabase());
  const ownsDatabase = !options.database;
  const adminKey = options.adminKey ?? `dca_test_${randomBytes(16).toString('hex')}`;
  const defaults = loadConfig({});
  const config: Config = {
    ...defaults,
    database: database.config,
    bootstrapApiKey: adminKey,
    logLevel: process.env.TEST_LOG_LEVEL || 'silent',
    shutdownGraceMs: 2_000,
    // Deliveries go to receivers the tests run on this machine (outbound-policy.spec.ts turns it off).
    outboundAllowPrivate: true,
    ...options.config,
    rateLimits: { ...defaults.rateLimits, ...options.config?.rateLimits },
  };
  const app = await createApp(config, {
    log: options.log ?? createLogger(config.logLevel),
    deliveryRandom: options.deliveryRandom,
  });
  const address = await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${address.port}`;
  const wsClients: Client[] = [];
  let auth = await app.services.apiKeys.authenticate(adminKey);
  if (!auth.ok && options.database) {
    // A second instance on an existing database: bootstrap did nothing, so give this key to the first workspace.
    const [first] = await app.dataSource.query('SELECT id FROM workspace ORDER BY id LIMIT 1');
    await app.services.apiKeys.insertKey(first.id, 'admin', ['RECORD', 'READ', 'SUBSCRIBE', 'MANAGE'] as any, adminKey);
    auth = await app.services.apiKeys.authenticate(adminKey);
  }
  if (!auth.ok) {
    await app.stop();
    throw new Error(`bootstrap key does not authenticate: ${auth.reason}`);
  }
  const workspaceId = auth.auth.workspaceId;

  const server: TestServer = {
    app,
    url: base + GRAPHQL_PATH,
    wsUrl: `ws://127.0.0.1:${address.port}${GRAPHQL_PATH}`,
    adminKey,
    workspaceId,
    database,
    async gql(query, variables, key = adminKey) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (key !== null) headers.authorization = `Bearer ${key}`;
      const res = await fetch(server.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { data?: any; errors?: any[] };
      return { status: res.status, data: body.data, errors: body.errors, headers: res.headers };
    },
    wsClient(key = adminKey, clientOptions = {}) {
      const client = createClient({
        url: server.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: key === null ? {} : { authorization: `Bearer ${key}` },
        retryAttempts: clientOptions.retryAttempts ?? 0,
        lazy: true,
      });
      wsClients.push(client);
      return client;
    },
    async createWorkspace(name = 'Other workspace') {
      const workspace = await app.services.apiKeys.createWorkspace(name);
      const secret = `dca_test_${randomBytes(16).toString('hex')}`;
      await app.services.apiKeys.insertKey(
        workspace.id,
        'admin',
        ['RECORD', 'READ', 'SUBSCRIBE', 'MANAGE'] as any,
        secret,
      );
      return { workspaceId: workspace.id, adminKey: secret };
    },
    async createKey(workspaceId, scopes, name = 'test key') {
      const secret = `dca_test_${randomBytes(16).toString('hex')}`;
      await app.services.apiKeys.insertKey(workspaceId, name, scopes as any, secret);
      return secret;
    },
    async stop() {
      await Promise.allSettled(wsClients.map((client) => Promise.resolve(client.dispose())));
      await app.stop();
      if (ownsDatabase) await database.drop();
    },
  };
  return server;
}

/** Collects the next `count` results of a subscription, or fails after `timeoutMs`. */
export function subscribe<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const received: Array<{ data?: T; errors?: any[] }> = [];
  let error: unknown;
  let completed = false;
  const waiters: Array<() => void> = [];
  const notify = () => waiters.splice(0).forEach((w) => w());
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        received.push(value as any);
        notify();
      },
      error: (err) => {
        error = err;
        notify();
      },
      complete: () => {
        completed = true;
        notify();
      },
    },
  );
  return {
    received,
    get error() {
      return error;
    },
    get completed() {
      return completed;
    },
    unsubscribe,
    /** Resolves once `count` results arrived (or the stream ended / failed). */
    async waitFor(count: number, timeoutMs = 5_000): Promise<Array<{ data?: T; errors?: any[] }>> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count && !error && !completed) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`timed out waiting for ${count} results (got ${received.length})`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remaining);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      if (error && received.length < count)
        throw error instanceof Error ? error : new Error(`subscription failed: ${describe(error)}`);
      return received.slice(0, count);
    },
  };
}

function describe(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error)
    return `close ${(error as any).code} ${(error as any).reason ?? ''}`;
  return JSON.stringify(error);
}

/** Waits until the graphql-ws client is acknowledged, or rejects with the close event. */
export function connected(client: Client): Promise<void> {
  return new Promise((resolve, reject) => {
    const offConnected = client.on('connected', () => {
      offConnected();
      offClosed();
      resolve();
    });
    const offClosed = client.on('closed', (event) => {
      offConnected();
      offClosed();
      // The close event itself: callers read its code and reason.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      reject(event);
    });
  });
}
