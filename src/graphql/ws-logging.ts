import { getOperationAST } from 'graphql';
import type { ConnectionInitMessage, ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { WebSocketServer } from 'ws';
import type { Logger } from '../shared/logger';

interface Running {
  started: bigint;
  operationName: string | null;
  requestId?: string;
  errors: number;
}

/**
 * graphql-ws options that also log one debug line per operation when it
 * ends, with the fields of the HTTP line (logging.plugin.ts): operationName,
 * durationMs (a subscription: from subscribe to complete) and the number of
 * errors sent, under the operation's request id. Wraps the hooks instead of
 * living in them so ws.ts stays about the protocol; costs nothing above the
 * debug level.
 */
export function withOperationLogging<P extends ConnectionInitMessage['payload'], E>(
  options: ServerOptions<P, E>,
  log: Logger,
): ServerOptions<P, E> {
  if (!log.isLevelEnabled('debug')) return options;
  const running = new WeakMap<object, Map<string, Running>>();
  const of = (ctx: object) => {
    let operations = running.get(ctx);
    if (!operations) running.set(ctx, (operations = new Map<string, Running>()));
    return operations;
  };
  const finish = (ctx: object, id: string) => {
    const operation = running.get(ctx)?.get(id);
    if (!operation) return;
    running.get(ctx)?.delete(id);
    const durationMs = Number(process.hrtime.bigint() - operation.started) / 1e6;
    (operation.requestId ? log.child({ requestId: operation.requestId }) : log).debug(
      { operationName: operation.operationName, durationMs, errors: operation.errors },
      'graphql request',
    );
  };

  return {
    ...options,
    onSubscribe: (ctx, id, payload) => {
      of(ctx).set(id, { started: process.hrtime.bigint(), operationName: payload.operationName ?? null, errors: 0 });
      return options.onSubscribe?.(ctx, id, payload);
    },
    onOperation: (ctx, id, payload, args, result) => {
      const operation = running.get(ctx)?.get(id);
      if (operation) {
        operation.operationName = getOperationAST(args.document, args.operationName)?.name?.value ?? null;
        const contextValue = args.contextValue as { requestId?: unknown } | undefined;
        if (typeof contextValue?.requestId === 'string') operation.requestId = contextValue.requestId;
      }
      return options.onOperation?.(ctx, id, payload, args, result);
    },
    onNext: (ctx, id, payload, args, result) => {
      const operation = running.get(ctx)?.get(id);
      if (operation && result.errors) operation.errors += result.errors.length;
      return options.onNext?.(ctx, id, payload, args, result);
    },
    // An error before execution ends the operation without onComplete; one thrown by a stream is followed by
    // onComplete, which then finds nothing left to log.
    onError: async (ctx, id, payload, errors) => {
      const formatted = await options.onError?.(ctx, id, payload, errors);
      const operation = running.get(ctx)?.get(id);
      if (operation) operation.errors += errors.length;
      finish(ctx, id);
      return formatted;
    },
    onComplete: async (ctx, id, payload) => {
      await options.onComplete?.(ctx, id, payload);
      finish(ctx, id);
    },
  };
}

/** graphql-ws's `useServer` for `ws`, with each operation logged at debug (withOperationLogging). */
export function useServerWithOperationLog<
  P extends ConnectionInitMessage['payload'] = ConnectionInitMessage['payload'],
  E extends Record<PropertyKey, unknown> = Record<PropertyKey, never>,
>(options: Parameters<typeof useServer<P, E>>[0], ws: WebSocketServer, log: Logger): ReturnType<typeof useServer> {
  return useServer<P, E>(withOperationLogging(options, log), ws);
}
