import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { execute, type GraphQLSchema } from 'graphql';
import { parseBearer, type AuthResult } from '../auth/api-key.service';
import type { Config } from '../config';
import { withDeadline } from '../db/deadline';
import type { Logger } from '../shared/logger';
import type { RateLimits } from '../shared/rate-limit';
import { RequestContext, type Services } from './context';
import { formatError } from './format-error';
import { checkOperation } from './operation-check';
import { budgetSpentError, rateLimitedError } from './rate-limited';
import { sharedSubscribe } from './shared-subscribe';
import { useServerWithOperationLog } from './ws-logging';

export interface GraphQLOverWebSocketOptions {
  /** The HTTP server whose upgrade requests on `path` become graphql-ws connections. */
  server: Server;
  path: string;
  schema: GraphQLSchema;
  services: Services;
  rateLimits: RateLimits;
  config: Pick<Config, 'limits' | 'introspection' | 'rateLimits' | 'requestTimeoutMs'>;
  log: Logger;
}

export interface GraphQLOverWebSocket {
  /** Closes every client with 1001 Going away, then the WebSocket server. */
  dispose(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;

function secretOf(connectionParams: { authorization?: string } | undefined): string | undefined {
  return parseBearer(connectionParams?.authorization) ?? connectionParams?.authorization;
}

/**
 * graphql-ws on the HTTP server's port and path. What Apollo does on HTTP
 * (authentication, rate limits, parse and validation limits, error masking)
 * is done here in the hooks: Apollo's options and plugins do not run on this
 * path.
 */
export function serveGraphQLOverWebSocket(options: GraphQLOverWebSocketOptions): GraphQLOverWebSocket {
  const { schema, services, rateLimits, config, log } = options;
  const wsServer = new WebSocketServer({ server: options.server, path: options.path, maxPayload: MAX_MESSAGE_BYTES });
  const server = useServerWithOperationLog<{ authorization?: string }, { auth: AuthResult }>(
    {
      schema,
      // A query or mutation sent over the socket has the deadline an HTTP request has.
      execute: (args) => withDeadline(Date.now() + config.requestTimeoutMs, () => execute(args)),
      // One execution per event for all listeners asking the same thing.
      subscribe: sharedSubscribe,
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
          if (!decision.ok) return [budgetSpentError(decision)];
        }
        return checkOperation(schema, payload, config);
      },
      onConnect: async (ctx) => {
        const result = await services.apiKeys.authenticate(secretOf(ctx.connectionParams));
        ctx.extra.auth = result;
        // false closes the socket with 4403 Forbidden before any operation runs.
        return result.ok;
      },
      context: async (ctx, id) => {
        // Re-checked per operation so a key revoked mid-connection stops opening subscriptions.
        const secret = secretOf(ctx.connectionParams);
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
    log,
  );
  return { dispose: async () => server.dispose() };
}
