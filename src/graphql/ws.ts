import type { Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { execute, type GraphQLSchema } from 'graphql';
import { parseBearer, type AuthResult } from '../auth/api-key.service';
import type { Config } from '../config';
import type { AppMetrics } from '../metrics/metrics';
import { withDeadline } from '../db/deadline';
import type { Logger } from '../shared/logger';
import type { RateLimits } from '../shared/rate-limit';
import { RequestContext, type Services } from './context';
import { formatError } from './format-error';
import { checkOperation } from './operation-check';
import { budgetSpentError, rateLimitedError } from './rate-limited';
import { admit, rateCaller } from '../http/admission';
import { clientIpResolver } from '../http/client-ip';
import { ConnectionCaps } from './ws-connections';
import { withOperationMetrics } from './ws-metrics';
import { sharedSubscribe } from './shared-subscribe';
import { withOperationLogging } from './ws-logging';

export interface GraphQLOverWebSocketOptions {
  /** The HTTP server whose upgrade requests on `path` become graphql-ws connections. */
  server: Server;
  path: string;
  schema: GraphQLSchema;
  services: Services;
  rateLimits: RateLimits;
  config: Pick<Config, 'limits' | 'introspection' | 'rateLimits' | 'requestTimeoutMs' | 'trustProxy'>;
  log: Logger;
  metrics: AppMetrics;
}

export interface GraphQLOverWebSocket {
  /** Closes every client with 1001 Going away, then the WebSocket server. */
  dispose(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * The secret of `connectionParams.authorization`, accepted exactly as the
 * HTTP Authorization header is (`Bearer <secret>`); anything else, a value
 * that is not a string included, is no key.
 */
function secretOf(connectionParams: Readonly<Record<string, unknown>> | undefined): string | null {
  const authorization = connectionParams?.authorization;
  return typeof authorization === 'string' ? parseBearer(authorization) : null;
}

/**
 * Close codes: graphql-ws clients give up on 4401 and 4429 (and retry 4403,
 * with backoff), so a bad key is reported at once instead of after retries.
 */
const CLOSE = {
  unauthorized: [4401, 'Unauthorized'],
  originNotAllowed: [4403, 'Forbidden: origin not allowed'],
  tooManyRequests: [4429, 'Too many requests'],
  tooManyConnections: [4429, 'Too many connections'],
} as const;

/**
 * graphql-ws on the HTTP server's port and path. What Apollo does on HTTP
 * (authentication, rate limits, parse and validation limits, error masking)
 * is done here in the hooks: Apollo's options and plugins do not run on this
 * path.
 */
export function serveGraphQLOverWebSocket(options: GraphQLOverWebSocketOptions): GraphQLOverWebSocket {
  const { schema, services, rateLimits, config, log } = options;
  const wsServer = new WebSocketServer({ server: options.server, path: options.path, maxPayload: MAX_MESSAGE_BYTES });
  const clientIp = clientIpResolver(config.trustProxy);
  const connections = new ConnectionCaps(config.rateLimits.wsConnectionsPerIp, config.rateLimits.wsConnectionsPerKey);
  // Registered before graphql-ws's own listener: a client over its address's cap is closed before anything else.
  wsServer.on('connection', (socket, request) => {
    const ip = clientIp(request);
    if (!connections.openFromIp(ip)) return socket.close(...CLOSE.tooManyConnections);
    socket.once('close', () => connections.closeFromIp(ip));
  });
  const server = useServer<Record<string, unknown>, { auth: AuthResult; ip?: string }>(
    withOperationLogging(
      withOperationMetrics(options.metrics, {
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
            const decision = await rateLimits.consumeCaller(rateCaller(ctx.extra.auth.auth), ctx.extra.ip ?? 'unknown');
            if (!decision.ok) return [budgetSpentError(decision)];
          }
          return checkOperation(schema, payload, config);
        },
        // The HTTP rules (admission.ts) at connection_init; what fails closes the socket before any operation.
        onConnect: async (ctx) => {
          const { socket, request } = ctx.extra;
          const ip = clientIp(request);
          ctx.extra.ip = ip;
          const admission = await admit(services.apiKeys, rateLimits, {
            secret: secretOf(ctx.connectionParams),
            ip,
            origin: request.headers.origin,
          });
          if ('limited' in admission) return closeWith(socket, CLOSE.tooManyRequests);
          if ('forbidden' in admission) return closeWith(socket, CLOSE.originNotAllowed);
          if (!admission.auth.ok) return closeWith(socket, CLOSE.unauthorized);
          const keyId = admission.auth.auth.apiKeyId;
          if (!connections.openWithKey(keyId)) return closeWith(socket, CLOSE.tooManyConnections);
          socket.once('close', () => connections.closeWithKey(keyId));
          ctx.extra.auth = admission.auth;
          return true;
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
          return {
            ...result,
            errors: result.errors.map((error) => formatError(error.toJSON(), error, log, requestId)),
          };
        },
        onError: (_ctx, _id, _payload, errors) => errors.map((error) => formatError(error.toJSON(), error, log)),
      }),
      log,
    ),
    wsServer,
  );
  return { dispose: async () => server.dispose() };
}

/** Closes the socket with a code of ours; graphql-ws's own close that follows a false is then a no-op. */
function closeWith(socket: WebSocket, [code, reason]: readonly [number, string]): false {
  socket.close(code, reason);
  return false;
}
