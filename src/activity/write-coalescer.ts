import type { Context } from '@opentelemetry/api';
import { currentDeadline, withDeadline, withoutDeadline } from '../db/deadline';
import type { AppMetrics } from '../metrics/metrics';
import { activeContext, inBatchSpan } from '../shared/tracing';

interface Waiter<T, R> {
  item: T;
  /** The submitting request's deadline: a batch is written under the latest of its items'. */
  deadline: number | undefined;
  /** The submitting request's trace: the batch runs in the first one's and links to the others. */
  trace: Context;
  submittedAt: number;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

interface Lane<T, R> {
  waiting: Waiter<T, R>[];
  inFlight: number;
  scheduled: boolean;
}

/**
 * Coalesces concurrent single writes into batches, like a database's group
 * commit: items submitted in the same tick for the same key are written by
 * one `writeBatch` call, and while `maxInFlight` batches of a key are being
 * written, new items wait and leave together in the next one. At low load a
 * write waits only for the next turn of the event loop; under load batches
 * grow instead of queues of transactions. Each caller gets its own result,
 * and only once its batch is durable.
 */
export class WriteCoalescer<K, T, R> {
  private readonly lanes = new Map<K, Lane<T, R>>();

  constructor(
    private readonly writeBatch: (key: K, items: T[]) => Promise<R[]>,
    private readonly options: { maxBatch: number; maxInFlight: number; metrics?: Pick<AppMetrics, 'writeBatch'> },
  ) {}

  submit(key: K, item: T): Promise<R> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { waiting: [], inFlight: 0, scheduled: false };
      this.lanes.set(key, lane);
    }
    const deadline = currentDeadline();
    const trace = activeContext();
    const submittedAt = performance.now();
    const promise = new Promise<R>((resolve, reject) =>
      lane.waiting.push({ item, deadline, trace, submittedAt, resolve, reject }),
    );
    this.schedule(key, lane);
    return promise;
  }

  private schedule(key: K, lane: Lane<T, R>): void {
    if (lane.scheduled || lane.inFlight >= this.options.maxInFlight || lane.waiting.length === 0) return;
    lane.scheduled = true;
    // setImmediate, not a microtask: it lets the requests that arrived in this I/O turn join the batch.
    setImmediate(() => {
      lane.scheduled = false;
      this.flush(key, lane);
    });
  }

  private flush(key: K, lane: Lane<T, R>): void {
    while (lane.inFlight < this.options.maxInFlight && lane.waiting.length > 0) {
      const batch = lane.waiting.splice(0, this.options.maxBatch);
      lane.inFlight += 1;
      const items = batch.map((w) => w.item);
      // Flushes run in whatever context scheduled them (often an earlier request's): each batch gets its own.
      const deadlines = batch.map((w) => w.deadline).filter((d): d is number => d !== undefined);
      const now = performance.now();
      this.options.metrics?.writeBatch(
        batch.length,
        batch.map((w) => (now - w.submittedAt) / 1000),
      );
      const traces = batch.map((w) => w.trace);
      const write = () => inBatchSpan('activity write batch', traces, () => this.writeBatch(key, items));
      (deadlines.length > 0 ? withDeadline(Math.max(...deadlines), write) : withoutDeadline(write))
        .then(
          (results) => batch.forEach((w, i) => w.resolve(results[i])),
          (error: unknown) => batch.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          lane.inFlight -= 1;
          if (lane.waiting.length > 0) this.schedule(key, lane);
          else if (lane.inFlight === 0 && !lane.scheduled) this.lanes.delete(key);
        });
    }
  }
}
