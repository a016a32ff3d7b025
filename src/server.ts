import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import cors from 'cors';
import express from 'express';
import helmet from 'helmet';
import { GraphQLError, NoSchemaIntrospectionCustomRule, specifiedRules, validate, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import { openDatabase } from './db/data-source';
import { createLogger, type Logger } from './shared/logger';
import type { Services } from './graphql/context';
import { createServices } from './services';
import { parseBearer, type AuthResult, type BootstrapResult } from './auth/api-key.service';
import { RequestContext, requestIdFrom } from './graphql/context';
import { formatError } from './graphql/format-error';
import { checkQueryLimits, parseWithLimits, queryLimitsPlugin } from './graphql/limits';
import { createAppPubSub } from './shared/pubsub';
import type { Topics } from './graphql/topics';
import { RateLimits, type RateDecision } from './shared/rate-limit';
import { buildAppSchema } from './graphql/schema';
import { sharedSubscribe } from './graphql/shared-subscribe';
import { DeliveryWorker } from './delivery/delivery.worker';

export const GRAPHQL_PATH = '/graphql';

export interface App {
  readonly httpServer: http.Server;
  readonly dataSource: DataSource;
  readonly services: Services;
  readonly schema: GraphQLSchema;
  readonly log: Logger;
  /** What the first start on an empty database created (the admin secret, once). */
  readonly bootstrap: BootstrapResult;
  /** Starts listening; port 0 picks a free one. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** Drains HTTP and WebSocket clients, then closes pub/sub and the database. Idempotent. */
  stop(): Promise<void>;
}

export interface CreateAppOptions {
  log?: Logger;
  /** The delivery worker's jitter source (tests pin it to check the retry schedule). */
  deliveryRandom?: () => number;
}

/** How long /ready waits for the database before calling it unreachable. */
const READY_TIMEOUT_MS = 2_000;

async function databaseAnswers(dataSource: DataSource): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      dataSource.query('SELECT 1').then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

function rateLimitedError(message: string, retryAfterSeconds?: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'RATE_LIMITED', ...(retryAfterSeconds ? { retryAfterSeconds } : {}) },
  });
}

function rateLimitMessage(decision: Extract<RateDecision, { ok: false }>): string {
  return `Rate limit exceeded: retry in ${decision.retryAfterSeconds} s`;
}

function loggingPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ operationName, errors }) {
          const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
          contextValue.log.debug({ operationName, durationMs, errors: errors?.length ?? 0 }, 'graphql request');
        },
      };
    },
  };
}

/**
 * Wires one http.Server: Apollo Server (express 5) on /graphql for queries
 * and mutations, graphql-ws on the same port and path for subscriptions,
 * plus /health and /ready. Everything the WebSocket path needs that Apollo
 * would otherwise do (auth, error masking) is applied in the useServer hooks.
 */
export async function createApp(config: Config, options: CreateAppOptions = {}): Promise<App> {
  const log = options.log ?? createLogger(config.logLevel);
  const dataSource = await openDatabase(config.database);
  const pubSubHandle = createAppPubSub<Topics>(
    { redisUrl: config.redisUrl, maxPending: config.subscriptionMaxPending },
    log,
  );
  const services = createServices(config, dataSource, pubSubHandle.pubSub, log);
  let bootstrap: BootstrapResult;
  let schema: GraphQLSchema;
  try {
    bootstrap = await services.apiKeys.bootstrap(config.bootstrapApiKey);
    schema = await buildAppSchema(pubSubHandle.pubSub);
  } catch (err) {
    await Promise.allSettled([pubSubHandle.close(), dataSource.destroy()]);
    throw err;
  }

  // The outbox worker runs in every instance; leased claims keep them from sending one delivery at the same time.
  const deliveryWorker = new DeliveryWorker(dataSource, services.deliveries, config.delivery, log, {
    random: options.deliveryRandom,
  });

  let draining = false;
  const rateLimits = new RateLimits(config.rateLimits, pubSubHandle.redis);
  const app = express();
  app.disable('x-powered-by');
  // Express hashes every response body for an ETag, POSTs included; answers here are never cached (see the cache
  // control plugin below), so that is a SHA-1 of each GraphQL response for nothing (1 % of a timeline request).
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  app.use(helmet());
  app.use(
    cors({
      origin: config.corsOrigins === '*' ? '*' : config.corsOrigins.split(',').map((origin) => origin.trim()),
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id', 'Apollo-Require-Preflight'],
      exposedHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    }),
  );
  const httpServer = http.createServer(app);

  // Liveness: the process answers. Readiness: it can do useful work (database reachable, not shutting down).
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    if (draining) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    const ok = await databaseAnswers(dataSource);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'database unreachable' });
  });

  const wsValidationRules = config.introspection
    ? specifiedRules
    : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH, maxPayload: 1024 * 1024 });
  const wsCleanup = useServer<{ authorization?: string }, { auth: AuthResult }>(
    {
      schema,
      // One execution per event for all listeners asking the same thing.
      subscribe: sharedSubscribe,
      // Parse, validate and limit here: Apollo's parse options, validation and plugins do not run on this path.
      onSubscribe: async (ctx, _id, payload) => {
        if (Object.keys(ctx.subscriptions).length > config.rateLimits.subscriptionsPerConnection) {
          return [
            rateLimitedError(
              `At most ${config.rateLimits.subscriptionsPerConnection} operations at once per connection`,
            ),
          ];
        }
        if (ctx.extra.auth?.ok) {
          const decision = await rateLimits.consumeKey(ctx.extra.auth.auth.apiKeyId);
          if (!decision.ok) return [rateLimitedError(rateLimitMessage(decision), decision.retryAfterSeconds)];
        }
        const document = parseWithLimits(payload.query, config.limits);
        if (Array.isArray(document)) return document;
        const invalid = validate(schema, document, wsValidationRules);
        if (invalid.length > 0) {
          return invalid.map(
            (error) =>
              new GraphQLError(error.message, {
                nodes: error.nodes,
                extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
              }),
          );
        }
        const limited = checkQueryLimits(
          schema,
          document,
          payload.variables ?? undefined,
          payload.operationName,
          config.limits,
        );
        if (limited.length > 0) return limited;
        return { schema, document, variableValues: payload.variables, operationName: payload.operationName };
      },
      onConnect: async (ctx) => {
        const secret = parseBearer(ctx.connectionParams?.authorization) ?? ctx.connectionParams?.authorization;
        const result = await services.apiKeys.authenticate(secret);
        ctx.extra.auth = result;
        // false closes the socket with 4403 Forbidden before any operation runs.
        return result.ok;
      },
      context: async (ctx, id) => {
        // Re-checked per operation so a key revoked mid-connection stops opening subscriptions.
        const secret = parseBearer(ctx.connectionParams?.authorization) ?? ctx.connectionParams?.authorization;
        const authenticate = () => services.apiKeys.authenticate(secret);
        return new RequestContext(services, `ws:${id}:${randomUUID()}`, await authenticate(), authenticate);
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors?.length) return;
        const requestId = (args.contextValue as RequestContext | undefined)?.requestId;
        return { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error, log, requestId)) };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => formatError(error.toJSON(), error, log)),
    },
    wsServer,
  );

  const apollo = new ApolloServer<RequestContext>({
    schema,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM/SIGINT (drain, then close Redis and the database); Apollo's own handlers would race it.
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: config.limits.maxTokens },
    formatError: (formatted, error) => formatError(formatted, error, log),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: config.shutdownGraceMs }),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
      queryLimitsPlugin<RequestContext>(config.limits),
      // No HTTP caching of this API's answers; the plugin would also instrument every field resolution.
      ApolloServerPluginCacheControlDisabled(),
      loggingPlugin(),
      // The landing page (Apollo Sandbox) loads its UI from Apollo's CDN in the browser: opt-in.
      config.landingPage
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true })
        : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();

  // Authenticate once per request, before the body is parsed, so a flood of
  // keyless or over-budget requests costs a key lookup, not a GraphQL execution.
  const authenticate: express.RequestHandler = async (req, res, next) => {
    try {
      const requestId = requestIdFrom(req.headers['x-request-id']);
      res.setHeader('X-Request-Id', requestId);
      const auth = await services.apiKeys.authenticate(parseBearer(req.headers.authorization));
      const decision = auth.ok
        ? await rateLimits.consumeKey(auth.auth.apiKeyId)
        : await rateLimits.consumeUnauthenticated(req.ip ?? 'unknown');
      if (!decision.ok) {
        res.setHeader('Retry-After', String(decision.retryAfterSeconds));
        res
          .status(429)
          .json({ errors: [rateLimitedError(rateLimitMessage(decision), decision.retryAfterSeconds).toJSON()] });
        return;
      }
      res.locals.requestId = requestId;
      res.locals.auth = auth;
      next();
    } catch (err) {
      next(err);
    }
  };

  app.use(
    GRAPHQL_PATH,
    authenticate,
    express.json({ limit: config.bodyLimit }),
    expressMiddleware(apollo, {
      context: async ({ res }) =>
        new RequestContext(services, res.locals.requestId as string, res.locals.auth as AuthResult),
    }),
  );

  // Failures outside GraphQL execution (body too large or malformed, database
  // down while authenticating) answer as GraphQL-shaped JSON, never express's
  // HTML page, and unexpected ones are masked and logged with the request id.
  app.use(GRAPHQL_PATH, (err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    const status = typeof (err as { status?: unknown })?.status === 'number' ? (err as { status: number }).status : 500;
    if (status < 500) {
      const message = status === 413 ? `Request body is larger than ${config.bodyLimit}` : 'Malformed request body';
      res.status(status).json({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
    const requestId = (res.getHeader('X-Request-Id') as string | undefined) ?? randomUUID();
    log.error({ err, requestId }, 'request failed before execution');
    res.status(500).json({
      errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }],
    });
  });

  // Started last: nothing above can fail and leave it running.
  deliveryWorker.start();
  let stopping: Promise<void> | undefined;
  return {
    httpServer,
    dataSource,
    services,
    schema,
    log,
    bootstrap,
    listen: (port = config.port, host = config.host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          resolve(httpServer.address() as AddressInfo);
        });
      }),
    stop: () => {
      stopping ??= (async () => {
        draining = true;
        await apollo.stop();
        if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        log.info('http and websocket clients drained');
        await deliveryWorker.stop();
        await pubSubHandle.close();
        await dataSource.destroy();
        log.info('database closed');
      })();
      return stopping;
    },
  };
}
