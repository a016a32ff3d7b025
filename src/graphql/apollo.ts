import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config';
import type { AppMetrics } from '../metrics/metrics';
import type { Logger } from '../shared/logger';
import type { RequestContext } from './context';
import { formatError } from './format-error';
import { currentRequestId } from './request-scope';
import { queryLimitsPlugin } from './limits';
import { loggingPlugin } from './logging.plugin';
import { errorStatusPlugin } from './error-status.plugin';
import { subscriptionOverHttpPlugin } from './http-subscription.plugin';
import { metricsPlugin } from './metrics.plugin';

export interface ApolloOptions {
  schema: GraphQLSchema;
  config: Pick<Config, 'introspection' | 'limits' | 'shutdownGraceMs'>;
  log: Logger;
  /** Drained by stop(): stops accepting, lets in-flight requests finish within the grace period. */
  httpServer: Server;
  /** Run by stop() alongside the HTTP drain (closes the WebSocket clients). */
  onDrain: () => Promise<void>;
  metrics: AppMetrics;
}

/** Apollo Server for GraphQL over HTTP, started: its plugins, limits and error masking. */
export async function startApollo(options: ApolloOptions): Promise<ApolloServer<RequestContext>> {
  const { schema, config, log } = options;
  const apollo = new ApolloServer<RequestContext>({
    schema,
    introspection: config.introspection,
    // Without introspection, error messages must not hand the schema out either ("Did you mean ...").
    hideSchemaDetailsFromClientErrors: !config.introspection,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM/SIGINT (drain, then close Redis and the database); Apollo's own handlers would race it.
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: config.limits.maxTokens },
    // Apollo hands formatError no context: the request id comes from the request's async scope (graphql-http.ts).
    formatError: (formatted, error) => formatError(formatted, error, log, currentRequestId()),
    plugins: [
      ApolloServerPluginDrainHttpServer({
        httpServer: options.httpServer,
        stopGracePeriodMillis: config.shutdownGraceMs,
      }),
      {
        serverWillStart: () => Promise.resolve({ drainServer: options.onDrain }),
      },
      queryLimitsPlugin<RequestContext>(config.limits),
      subscriptionOverHttpPlugin<RequestContext>(),
      errorStatusPlugin<RequestContext>(),
      // No HTTP caching of this API's answers; the plugin would also instrument every field resolution.
      ApolloServerPluginCacheControlDisabled(),
      loggingPlugin(),
      metricsPlugin(options.metrics),
      // Browsers get the explorer from this server's own origin (src/http/explorer.ts), never Apollo Sandbox's CDN.
      ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();
  return apollo;
}
