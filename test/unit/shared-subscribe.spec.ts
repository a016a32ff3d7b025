import { mapEvents } from '../../src/shared/streams';

/** A source that yields only when told to, and records when it is closed. */
function quietSource() {
  let closed = false;
  let release: ((r: IteratorResult<number>) => void) | null = null;
  const iterator: AsyncIterableIterator<number> = {
    next: () => new Promise((resolve) => (release = resolve)),
    return: async () => {
      closed = true;
      release?.({ value: undefined, done: true });
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return {
    iterable: { [Symbol.asyncIterator]: () => iterator },
    isClosed: () => closed,
    emit: (n: number) => release?.({ value: n, done: false }),
  };
}

describe('mapEvents', () => {
  it('closes the source at once when the consumer leaves while waiting for an event', async () => {
    const source = quietSource();
    const stream = mapEvents(source.iterable, async (n: number) => n * 2);
    const pending = stream.next();
    await stream.return(undefined);
    expect(source.isClosed()).toBe(true);
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    await expect(stream.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('maps events in order and ends with the source', async () => {
    const values = [1, 2, 3];
    const stream = mapEvents(
      (async function* () {
        yield* values;
      })(),
      async (n: number) => n * 10,
    );
    const out: number[] = [];
    for await (const v of stream) out.push(v);
    expect(out).toEqual([10, 20, 30]);
  });
});
