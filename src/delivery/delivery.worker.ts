import { createHmac, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { DeliveryConfig } from '../config';
import type { AppMetrics } from '../metrics/metrics';
import type { Logger } from '../shared/logger';
import { describePostError, post, type OutboundPolicy } from '../shared/outbound';
import { withStoredParent } from '../shared/tracing';
import { DeliveryKind } from './delivery.model';
import { DeliveryRepository } from './delivery.repository';
import type { DeliveryService, SendSettings } from './delivery.service';

const MAX_ERROR = 1000;
/** How much of a failed response's body is kept in lastError; the rest is never read. */
const BACKOFF_CAP_MS = 60 * 60 * 1000;

interface Claimed {
  id: string;
  workspaceId: string;
  kind: DeliveryKind;
  url: string | null;
  payload: string;
  attempts: number;
  token: string;
  traceParent: string | null;
}

/** Exponential backoff with full jitter: the wait after attempt n is random(0, min(cap, base * 2^(n-1))). */
export function backoffMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.floor(random() * ceiling);
}

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

class Stopping extends Error {}
class TimedOut extends Error {}

export interface DeliveryWorkerOptions {
  /** Where the worker may POST (see shared/outbound.ts); public addresses only by default. */
  outbound?: OutboundPolicy;
  /** The jitter source (tests pin it to check the schedule). */
  random?: () => number;
  /** Counts attempts by kind and result. */
  metrics?: Pick<AppMetrics, 'deliveryAttempt'>;
}

/**
 * Sends due outbox rows. Several instances may run it on one database: a
 * claim leases rows (lease_owner + lease_until) that are PENDING, due and not
 * leased (or whose lease expired), so concurrent claimers take different rows
 * (DeliveryRepository.claim). An attempt's outcome is written only while the
 * lease is still ours. A process that dies mid-send
 * leaves a lease that expires, and the row is sent again with the same
 * X-Delivery-Id: at least once, never lost.
 */
export class DeliveryWorker {
  private readonly owner = randomUUID();
  private readonly random: () => number;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeRequested = false;
  private wakeSleeper: (() => void) | undefined;
  private readonly inFlight = new Map<string, { controller: AbortController; done: Promise<void> }>();
  /** Earliest retry this instance scheduled: the loop wakes for it rather than waiting a whole poll interval. */
  private nextDue = Infinity;
  private readonly outbox: DeliveryRepository;
  private readonly metrics?: Pick<AppMetrics, 'deliveryAttempt'>;

  private readonly outbound: OutboundPolicy;

  constructor(
    dataSource: DataSource,
    private readonly deliveries: DeliveryService,
    private readonly config: DeliveryConfig,
    private readonly log: Logger,
    options: DeliveryWorkerOptions = {},
  ) {
    this.random = options.random ?? Math.random;
    this.outbound = options.outbound ?? { allowPrivate: false };
    this.metrics = options.metrics;
    this.outbox = new DeliveryRepository(dataSource);
  }

  /** Long enough for one attempt (the POST is bounded by timeoutMs) plus the database work around it. */
  private get leaseMs(): number {
    return this.config.timeoutMs * 2 + 1_000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.deliveries.onWake(() => this.wake());
    this.loop = this.run();
  }

  wake(): void {
    this.wakeRequested = true;
    this.wakeSleeper?.();
  }

  /** Stops claiming, aborts the POSTs in flight and hands their rows back (not counted as attempts). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeSleeper?.();
    // The loop first: a claim under way still dispatches its rows, which are then aborted like the others.
    await this.loop;
    for (const { controller } of this.inFlight.values()) controller.abort(new Stopping('stopping'));
    await Promise.all([...this.inFlight.values()].map((f) => f.done));
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.wakeRequested = false;
      const free = this.config.concurrency - this.inFlight.size;
      let claimed = 0;
      if (free > 0) {
        try {
          const rows = await this.claim(free);
          claimed = rows.length;
          this.dispatch(rows);
        } catch (err) {
          if (this.running) this.log.error({ err }, 'delivery worker could not claim deliveries');
        }
      }
      if (!this.running) break;
      // A full claim means more may be due: go again (a full pool waits for a send to finish instead).
      if ((free > 0 && claimed === free && this.inFlight.size < this.config.concurrency) || this.wakeRequested)
        continue;
      await this.sleep(Math.max(0, Math.min(this.config.pollMs, this.nextDue - Date.now())));
    }
  }

  /** Until `ms` pass or wake() is called. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        this.wakeSleeper = undefined;
        if (Date.now() >= this.nextDue) this.nextDue = Infinity;
        resolve();
      };
      timer = setTimeout(done, ms);
      this.wakeSleeper = done;
    });
  }

  private dispatch(rows: readonly Claimed[]): void {
    // One settings read per workspace and batch: signing secret and endpoint as they are now.
    const settings = new Map<string, Promise<SendSettings>>();
    for (const row of rows) {
      if (!settings.has(row.workspaceId)) {
        const read = this.deliveries.sendSettings(row.workspaceId);
        // Each send awaits it and records a failure; this only keeps a rejection from counting as unhandled meanwhile.
        read.catch(() => undefined);
        settings.set(row.workspaceId, read);
      }
      const controller = new AbortController();
      const done = this.send(row, settings.get(row.workspaceId)!, controller).finally(() => {
        this.inFlight.delete(row.id);
        this.wake();
      });
      this.inFlight.set(row.id, { controller, done });
    }
  }

  /** Leases up to `limit` due rows to this instance. */
  private async claim(limit: number): Promise<Claimed[]> {
    const now = Date.now();
    const token = `${this.owner.slice(0, 8)}:${randomUUID()}`;
    const rows = await this.outbox.claim(token, limit, now, now + this.leaseMs);
    return rows.map((r) => ({
      id: r.id,
      workspaceId: r.workspaceId,
      kind: r.kind,
      url: r.url,
      payload: r.payload!,
      attempts: r.attempts,
      token,
      traceParent: r.traceParent,
    }));
  }

  private async send(row: Claimed, settingsRead: Promise<SendSettings>, controller: AbortController): Promise<void> {
    const timer = setTimeout(
      () => controller.abort(new TimedOut(`timed out after ${this.config.timeoutMs} ms`)),
      this.config.timeoutMs,
    );
    let error: string | null;
    try {
      // In the trace of what caused the delivery; the POST's own span (HTTP client instrumentation) sends its traceparent.
      error = await withStoredParent(
        row.traceParent,
        `delivery ${row.kind}`,
        { 'delivery.id': row.id, 'delivery.kind': row.kind, 'delivery.attempt': row.attempts + 1 },
        async () => this.post(row, await settingsRead, controller.signal),
      );
    } catch (err) {
      const reason: unknown = controller.signal.reason;
      if (reason instanceof Stopping) {
        await this.release(row);
        return;
      }
      error = reason instanceof TimedOut ? reason.message : describePostError(err);
    } finally {
      clearTimeout(timer);
    }
    await this.finish(row, error);
  }

  /** One attempt; resolves with null when delivered, else what went wrong. */
  private async post(row: Claimed, settings: SendSettings, signal: AbortSignal): Promise<string | null> {
    let url = row.url;
    if (row.kind !== DeliveryKind.WEBHOOK) {
      if (!settings.enabled) return 'Sales Insight is disabled for this workspace';
      url = settings.endpointUrl;
    }
    if (!url) return 'no endpoint URL is configured';
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'dynamic-chat-delivery/1',
      'x-delivery-id': row.id,
    };
    if (settings.signingSecret) headers['x-signature'] = signBody(settings.signingSecret, row.payload);
    else if (row.kind !== DeliveryKind.WEBHOOK) return 'no signing secret is configured';
    // Redirects are not followed: a 3xx is a failed attempt, so a receiver cannot bounce signed data elsewhere.
    const res = await post(url, { headers, body: row.payload, signal, policy: this.outbound });
    if (res.status >= 200 && res.status < 300) return null;
    // The status line only: a remote's body (or reason phrase) is never copied into lastError, which READ keys see.
    return `HTTP ${res.status} ${res.statusText}`;
  }

  private async finish(row: Claimed, error: string | null): Promise<void> {
    const now = Date.now();
    const attempts = row.attempts + 1;
    try {
      if (error === null) {
        await this.outbox.delivered(row.id, row.token, attempts, now);
        this.metrics?.deliveryAttempt(row.kind, 'delivered');
        this.log.debug({ deliveryId: row.id, kind: row.kind, attempts }, 'delivered');
        return;
      }
      const dead = attempts >= this.config.maxAttempts;
      const next = dead ? null : now + backoffMs(attempts, this.config.backoffBaseMs, this.random);
      await this.outbox.failed(row.id, row.token, {
        attempts,
        error: error.slice(0, MAX_ERROR),
        now,
        nextAttemptAt: next,
      });
      if (next !== null) this.nextDue = Math.min(this.nextDue, next);
      this.metrics?.deliveryAttempt(row.kind, dead ? 'dead' : 'retry');
      const entry = { deliveryId: row.id, kind: row.kind, attempts, error: error.slice(0, 200) };
      if (dead) this.log.error(entry, 'delivery is DEAD after its last attempt');
      else
        this.log.warn(
          { ...entry, nextAttemptAt: new Date(next!).toISOString() },
          'delivery attempt failed; will retry',
        );
    } catch (err) {
      // The lease expires and the row is tried again.
      this.log.error({ err, deliveryId: row.id }, 'could not record a delivery attempt');
    }
  }

  private async release(row: Claimed): Promise<void> {
    try {
      await this.outbox.release(row.id, row.token);
    } catch {
      // Shutting down with the database gone: the lease expires instead.
    }
  }
}
