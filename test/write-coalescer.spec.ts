import { WriteCoalescer } from '../src/activity/write-coalescer';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('WriteCoalescer', () => {
  function recorder(maxInFlight = 2, maxBatch = 100) {
    const batches: Array<{ key: string; items: number[] }> = [];
    const gates: Array<() => void> = [];
    const coalescer = new WriteCoalescer<string, number, string>(
      async (key, items) => {
        batches.push({ key, items });
        await new Promise<void>((resolve) => gates.push(resolve));
        return items.map((item) => `${key}:${item}`);
      },
      { maxBatch, maxInFlight },
    );
    const openAll = () => gates.splice(0).forEach((open) => open());
    return { coalescer, batches, openAll };
  }

  it('writes items submitted in one tick as one batch, and answers each caller with its own result', async () => {
    const { coalescer, batches, openAll } = recorder();
    const results = [1, 2, 3].map((n) => coalescer.submit('w1', n));
    await tick();
    expect(batches).toEqual([{ key: 'w1', items: [1, 2, 3] }]);
    openAll();
    expect(await Promise.all(results)).toEqual(['w1:1', 'w1:2', 'w1:3']);
  });

  it('keeps keys apart', async () => {
    const { coalescer, batches, openAll } = recorder();
    const results = [coalescer.submit('a', 1), coalescer.submit('b', 2), coalescer.submit('a', 3)];
    await tick();
    expect(batches).toEqual([
      { key: 'a', items: [1, 3] },
      { key: 'b', items: [2] },
    ]);
    openAll();
    expect(await Promise.all(results)).toEqual(['a:1', 'b:2', 'a:3']);
  });

  it('holds new items while maxInFlight batches are being written, then sends them together', async () => {
    const { coalescer, batches, openAll } = recorder(2);
    const first = [coalescer.submit('w', 1)];
    await tick();
    const second = [coalescer.submit('w', 2)];
    await tick();
    const waiting = [3, 4, 5].map((n) => coalescer.submit('w', n));
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2]]);
    openAll();
    await Promise.all([...first, ...second]);
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2], [3, 4, 5]]);
    openAll();
    expect(await Promise.all(waiting)).toEqual(['w:3', 'w:4', 'w:5']);
  });

  it('splits at maxBatch', async () => {
    const { coalescer, batches, openAll } = recorder(4, 2);
    const results = [1, 2, 3, 4, 5].map((n) => coalescer.submit('w', n));
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1, 2], [3, 4], [5]]);
    openAll();
    expect(await Promise.all(results)).toHaveLength(5);
  });

  it('rejects every caller of a batch whose write fails, and goes on with the next batch', async () => {
    let fail = true;
    const coalescer = new WriteCoalescer<string, number, number>(
      async (_key, items) => {
        if (fail) throw new Error('database down');
        return items;
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    const doomed = [coalescer.submit('w', 1), coalescer.submit('w', 2)];
    await expect(Promise.all(doomed)).rejects.toThrow('database down');
    await expect(doomed[1]).rejects.toThrow('database down');
    fail = false;
    expect(await coalescer.submit('w', 3)).toBe(3);
  });
});
