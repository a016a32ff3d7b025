import {
  createSourceEventStream,
  execute,
  GraphQLError,
  print,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import { mapEvents, type EventStream } from '../shared/streams';
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

export async function sharedSubscribe(args: ExecutionArgs): Promise<EventStream<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!isAsyncIterable(source)) return source;
  const context = args.contextValue as RequestContext;
  // Everything execution depends on besides the event; computed once per subscription.
  const key = JSON.stringify([
    print(args.document),
    args.operationName ?? null,
    args.variableValues ?? null,
    context.shareKey(),
  ]);
  const stream = mapEvents(source, async (event): Promise<ExecutionResult> => {
    const auth = await context.recheckAuth();
    if (!auth.ok) {
      // The key was revoked (or expired) while subscribed: say so once and end the subscription.
      void stream.return(undefined);
      return {
        errors: [new GraphQLError('The API key is no longer valid', { extensions: { code: 'UNAUTHENTICATED' } })],
      };
    }
    return executeShared(args, () => context.forEvent(auth), key, event);
  });
  return stream;
}

/** The event's context is made only by the subscriber that executes it (a context costs a child logger and memos). */
function executeShared(
  args: ExecutionArgs,
  eventContext: () => RequestContext,
  key: string,
  event: unknown,
): Promise<ExecutionResult> {
  const run = () => Promise.resolve(execute({ ...args, rootValue: event, contextValue: eventContext() }));
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
