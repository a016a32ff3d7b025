export type EventStream<T> = AsyncIterableIterator<T> & { return(value?: unknown): Promise<IteratorResult<T>> };

/**
 * Maps an event stream. A plain iterator rather than an async generator:
 * a generator's return() waits behind a pending next(), so a client that
 * leaves a quiet stream would keep its pubsub subscription (and Redis
 * channel) until the next event. Here return() closes the source at once.
 */
export function mapEvents<T, U>(source: AsyncIterable<T>, map: (value: T) => U | Promise<U>): EventStream<U> {
  const iterator = source[Symbol.asyncIterator]();
  let done = false;
  const finish = async (): Promise<IteratorResult<U>> => {
    if (!done) {
      done = true;
      await iterator.return?.();
    }
    return { value: undefined, done: true };
  };
  const mapped: EventStream<U> = {
    async next() {
      if (done) return { value: undefined, done: true };
      const next = await iterator.next();
      if (next.done || done) return finish();
      return { value: await map(next.value), done: false };
    },
    return: finish,
    async throw(error: unknown) {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped;
}
