import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config';
import type { AppMetrics } from '../metrics/metrics';
import type { Logger } from '../shared/logger';
import type { RequestContext } from './context';
import { formatError } from './format-error';
import { queryLimitsPlugin } from './limits';
import { loggingPlugin } from './logging.plugin';
import { errorStatusPlugin } from './error-status.plugin';
import { metricsPlugin } from './metrics.plugin';

export interface ApolloOptions {
  schema: GraphQLSchema;
  config: Pick<Config, 'introspection' | 'limits' | 'shutdownGraceMs' | 'landingPage'>;
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
    formatError: (formatted, error) => formatError(formatted, error, log),
    plugins: [
      ApolloServerPluginDrainHttpServer({
        httpServer: options.httpServer,
        stopGracePeriodMillis: config.shutdownGraceMs,
      }),
      {
        serverWillStart: () => Promise.resolve({ drainServer: options.onDrain }),
      },
      queryLimitsPlugin<RequestContext>(config.limits),
      errorStatusPlugin<RequestContext>(),
      // No HTTP caching of this API's answers; the plugin would also instrument every field resolution.
      ApolloServerPluginCacheControlDisabled(),
      loggingPlugin(),
      metricsPlugin(options.metrics),
      // The landing page (Apollo Sandbox) loads its UI from Apollo's CDN in the browser: opt-in.
      config.landingPage
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true })
        : ApolloServerPluginLandingPageDisabled(),
    ],
  });
  await apollo.start();
  return apollo;
}
