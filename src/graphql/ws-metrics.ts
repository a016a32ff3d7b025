import { getOperationAST, type ExecutionArgs } from 'graphql';
import type { ConnectionInitMessage, Context, ServerOptions } from 'graphql-ws';
import type { AppMetrics, OperationType } from '../metrics/metrics';
import { firstErrorCode } from './metrics.plugin';

type ConnectionParams = ConnectionInitMessage['payload'];

interface Operation {
  started: bigint;
  name: string | null | undefined;
  type: OperationType;
  /** Counted in graphql_operations_total already (a result sent, or a stream set up). */
  counted: boolean;
  streaming: boolean;
}

/**
 * The graphql-ws server's hooks, wrapped to report the same operation
 * metrics as HTTP (one sample per query or mutation when its result is sent,
 * one per subscription when its stream is set up or refused) plus the open
 * connections and the streaming subscriptions. Every hook of `options` still
 * runs, first, and what it returns is what the client gets: the outcome is
 * read from the errors as they were formatted for the client.
 */
export function withOperationMetrics<P extends ConnectionParams, E>(
  metrics: AppMetrics,
  options: ServerOptions<P, E>,
): ServerOptions<P, E> {
  const operations = new WeakMap<Context<P, E>, Map<string, Operation>>();
  const opened = new WeakSet<Context<P, E>>();
  const of = (ctx: Context<P, E>) => {
    let byId = operations.get(ctx);
    if (!byId) operations.set(ctx, (byId = new Map<string, Operation>()));
    return byId;
  };
  const count = (operation: Operation, errorCode: string | undefined) => {
    if (operation.counted) return;
    operation.counted = true;
    metrics.operation({
      transport: 'ws',
      name: operation.name,
      // Only acknowledged connections (a valid key) run operations; an unresolved one has no trusted name.
      trusted: operation.type !== 'unknown',
      type: operation.type,
      errorCode,
      seconds: Number(process.hrtime.bigint() - operation.started) / 1e9,
    });
  };
  const { onConnect, onClose, onSubscribe, onOperation, onNext, onError, onComplete } = options;
  return {
    ...options,
    onConnect: async (ctx) => {
      const result = await onConnect?.(ctx);
      if (result !== false) {
        opened.add(ctx);
        metrics.wsConnectionOpened();
      }
      return result;
    },
    onClose: async (ctx, code, reason) => {
      if (opened.delete(ctx)) metrics.wsConnectionClosed();
      await onClose?.(ctx, code, reason);
    },
    onSubscribe: async (ctx, id, payload) => {
      const operation: Operation = {
        started: process.hrtime.bigint(),
        name: payload.operationName,
        type: 'unknown',
        counted: false,
        streaming: false,
      };
      of(ctx).set(id, operation);
      const result = await onSubscribe?.(ctx, id, payload);
      if (result && !Array.isArray(result)) {
        const args = result as ExecutionArgs;
        const ast = getOperationAST(args.document, args.operationName);
        if (ast) {
          operation.type = ast.operation;
          operation.name = ast.name?.value ?? null;
        }
      }
      return result;
    },
    onOperation: async (ctx, id, payload, args, result) => {
      const replaced = await onOperation?.(ctx, id, payload, args, result);
      const operation = of(ctx).get(id);
      const final = replaced ?? result;
      if (operation && Symbol.asyncIterator in final) {
        operation.streaming = true;
        metrics.subscriptionStarted();
        count(operation, undefined);
      }
      return replaced;
    },
    onNext: async (ctx, id, payload, args, result) => {
      const formatted = await onNext?.(ctx, id, payload, args, result);
      const operation = of(ctx).get(id);
      if (operation && !operation.streaming) count(operation, firstErrorCode((formatted ?? result).errors));
      return formatted;
    },
    onError: async (ctx, id, payload, errors) => {
      const formatted = await onError?.(ctx, id, payload, errors);
      const byId = of(ctx);
      const operation = byId.get(id);
      if (operation) count(operation, firstErrorCode(formatted ?? errors.map((error) => error.toJSON())));
      // Refused before it ran (onSubscribe's errors): no onComplete follows.
      if (operation && !operation.streaming) byId.delete(id);
      return formatted;
    },
    onComplete: async (ctx, id, payload) => {
      const byId = of(ctx);
      const operation = byId.get(id);
      byId.delete(id);
      if (operation?.streaming) metrics.subscriptionEnded();
      await onComplete?.(ctx, id, payload);
    },
  };
}
