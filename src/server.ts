import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import type { DataSource } from 'typeorm';
import type { Config } from './config';
import { openDatabase } from './db/data-source';
import { createLogger, type Logger } from './shared/logger';
import { createAppPubSub } from './shared/pubsub';
import { RateLimits } from './shared/rate-limit';
import { createServices } from './services';
import type { BootstrapResult } from './auth/api-key.service';
import type { Services } from './graphql/context';
import { buildAppSchema } from './graphql/schema';
import type { Topics } from './graphql/topics';
import { startApollo } from './graphql/apollo';
import { serveGraphQLOverWebSocket } from './graphql/ws';
import { createHttpServer } from './http/http-server';
import { edgeErrors } from './http/edge-errors';
import { health } from './http/health';
import { authenticate } from './http/authenticate';
import { graphqlOverHttp } from './http/graphql-http';
import { mountMetrics } from './http/metrics';
import { explorer } from './http/explorer';
import { AppMetrics } from './metrics/metrics';
import { registerDatabaseReadings } from './observability';
import { createWorkers } from './workers';

export const GRAPHQL_PATH = '/graphql';

export interface App {
  /** Fastify's node:http server: HTTP routes and the graphql-ws upgrade on one port. */
  readonly httpServer: Server;
  readonly dataSource: DataSource;
  readonly services: Services;
  readonly schema: GraphQLSchema;
  readonly log: Logger;
  readonly metrics: AppMetrics;
  /** Where /metrics is served when METRICS_PORT gives it a port of its own (once listening). */
  metricsAddress(): AddressInfo | undefined;
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

/**
 * One port: Apollo Server on Fastify for queries and mutations on /graphql,
 * graphql-ws on the same path for subscriptions, /health and /ready, and the
 * explorer for browsers (LANDING_PAGE).
 */
export async function createApp(config: Config, options: CreateAppOptions = {}): Promise<App> {
  const log = options.log ?? createLogger(config.logLevel);
  const dataSource = await openDatabase(config.database);
  const pubSubHandle = createAppPubSub<Topics>(
    { redisUrl: config.redisUrl, maxPending: config.subscriptionMaxPending },
    log,
  );
  const metrics = new AppMetrics(config.metrics);
  const rateLimits = new RateLimits(config.rateLimits, pubSubHandle.redis, metrics);
  const services = createServices(config, dataSource, pubSubHandle.pubSub, rateLimits, log, metrics);
  let bootstrap: BootstrapResult;
  let schema: GraphQLSchema;
  try {
    bootstrap = await services.apiKeys.bootstrap(config.bootstrapApiKey);
    schema = await buildAppSchema(pubSubHandle.pubSub);
  } catch (err) {
    await Promise.allSettled([pubSubHandle.close(), dataSource.destroy()]);
    throw err;
  }
  const workers = createWorkers(dataSource, services.deliveries, config, log, metrics, options);
  if (config.metrics.enabled) registerDatabaseReadings(metrics, dataSource, config);
  let draining = false;

  const http = await createHttpServer(config);
  const metricsServer = mountMetrics(http, metrics, config.metrics);
  http.setErrorHandler(edgeErrors(config.bodyLimit, log));
  await http.register(health, { dataSource, draining: () => draining });
  const ws = serveGraphQLOverWebSocket({
    server: http.server,
    path: GRAPHQL_PATH,
    schema,
    services,
    rateLimits,
    config,
    log,
    metrics,
  });
  const apollo = await startApollo({
    schema,
    config,
    log,
    httpServer: http.server,
    onDrain: () => ws.dispose(),
    metrics,
  });
  const apiExplorer = config.landingPage ? explorer({ path: GRAPHQL_PATH }) : undefined;
  if (apiExplorer) await http.register(apiExplorer.plugin);
  await http.register(graphqlOverHttp, {
    apollo,
    services,
    path: GRAPHQL_PATH,
    authenticate: authenticate(services.apiKeys, rateLimits, config.requestTimeoutMs),
    explorerPage: apiExplorer?.page,
  });
  await http.ready();

  // Started last: nothing above can fail and leave them running.
  workers.start();
  let stopping: Promise<void> | undefined;
  return {
    httpServer: http.server,
    dataSource,
    services,
    schema,
    log,
    metrics,
    metricsAddress: () => metricsServer?.address(),
    bootstrap,
    listen: async (port = config.port, host = config.host) => {
      await http.listen({ port, host });
      if (metricsServer) await metricsServer.listen(config.metrics.port!, host);
      return http.server.address() as AddressInfo;
    },
    stop: () => {
      stopping ??= (async () => {
        draining = true;
        // Apollo's drain, at once: HTTP stops accepting and lets in-flight requests finish; WebSocket clients get 1001.
        await apollo.stop();
        await http.close();
        await metricsServer?.close();
        log.info('http and websocket clients drained');
        await workers.stop();
        await pubSubHandle.close();
        await dataSource.destroy();
        log.info('database closed');
      })();
      return stopping;
    },
  };
}
