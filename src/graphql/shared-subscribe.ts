import { createSourceEventStream, execute, print, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { RequestContext } from './context';

/**
 * The graphql-ws `subscribe`: graphql-js's, except that an event is executed
 * once per (event, operation, variables, caller's workspace and scopes) and
 * the result is shared by every subscriber on this instance asking exactly
 * that. 1,000 listeners on one campaign with the same query cost one
 * execution per run, not 1,000; what remains per listener is serializing and
 * writing the message.
 *
 * Events are shared by object identity: a pubsub event reaches every local
 * listener as the same object (from Redis too: parsed once per instance), so
 * the cache lives in a WeakMap on it and goes with it. Each event executes in
 * a fresh context (new DataLoaders) so nothing loaded for one event is served
 * stale in a later one.
 */
const executions = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

export async function sharedSubscribe(args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source;
  const context = args.contextValue as RequestContext;
  // Everything execution depends on besides the event; computed once per subscription.
  const key = JSON.stringify([print(args.document), args.operationName ?? null, args.variableValues ?? null, context.shareKey()]);
  return mapEvents(source, (event) => executeShared(args, context, key, event));
}

function executeShared(args: ExecutionArgs, context: RequestContext, key: string, event: unknown): Promise<ExecutionResult> {
  const run = () => Promise.resolve(execute({ ...args, rootValue: event, contextValue: context.forEvent() }));
  if (event === null || typeof event !== 'object') return run();
  let byKey = executions.get(event);
  if (!byKey) {
    byKey = new Map();
    executions.set(event, byKey);
  }
  let result = byKey.get(key);
  if (!result) {
    result = run();
    byKey.set(key, result);
  }
  return result;
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';

/** Maps an event stream, passing return() through so the source (the pubsub subscription) is closed with the client. */
async function* mapEvents<T, U>(source: AsyncIterable<T>, map: (value: T) => Promise<U>): AsyncGenerator<U> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield await map(next.value);
    }
  } finally {
    await iterator.return?.();
  }
}
