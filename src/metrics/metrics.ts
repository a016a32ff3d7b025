import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DEFAULT_METRICS_CONFIG, type MetricsConfig } from '../config';
import { ErrorCode, REQUEST_ERROR_CODES } from '../shared/errors';

/** The label of everything a bounded label set has no room or no name for. */
export const OTHER = 'other';

export type Transport = 'http' | 'ws';
export type OperationType = 'query' | 'mutation' | 'subscription' | 'unknown';

/**
 * Outcomes are error codes, and the formatted errors carry only the app's
 * codes and GraphQL's request codes (src/graphql/format-error.ts); anything
 * else still gets one bucket, so no client can mint label values.
 */
const OUTCOMES = new Set<string>(['ok', ...Object.values(ErrorCode), ...REQUEST_ERROR_CODES]);

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

/**
 * A label set that admits its first `capacity` values and puts the rest in
 * `other`; `forget` frees a value's place (a deleted campaign).
 */
export class BoundedLabels {
  private readonly admitted = new Set<string>();

  constructor(private readonly capacity: number) {}

  label(value: string): string {
    if (this.admitted.has(value)) return value;
    if (this.admitted.size >= this.capacity) return OTHER;
    this.admitted.add(value);
    return value;
  }

  values(): string[] {
    return [...this.admitted];
  }

  forget(value: string): void {
    this.admitted.delete(value);
  }
}

export interface OperationSample {
  transport: Transport;
  /** The operation's name as sent; null when unnamed. */
  name: string | null | undefined;
  /** Whether the name may get a label of its own: the operation was valid and its caller authenticated. */
  trusted: boolean;
  type: OperationType;
  /** The first error's code, or undefined for none. */
  errorCode: string | undefined;
  seconds: number;
}

/** The pool figures a collector reads at scrape time (MySQL/MariaDB). */
export interface PoolCounts {
  size: number;
  open: number;
  inUse: number;
  waiting: number;
}

/** The outbox figures a collector reads at scrape time: counts capped at `cap`, the oldest due row's age. */
export interface OutboxCounts {
  pending: number;
  dead: number;
  oldestDueAgeSeconds: number;
}

/**
 * The process's Prometheus registry and every metric of the app, free of
 * GraphQL and of the database: features and the API layer report what
 * happened through the methods below, and scrape-time readings (the pool,
 * the outbox) are functions the composition root hands in. One instance per
 * app (tests run several apps in one process); labels are bounded
 * everywhere (operation names, outcomes, campaigns).
 */
export class AppMetrics {
  readonly registry = new Registry();
  readonly config: MetricsConfig;
  private readonly operationNames: BoundedLabels;
  private readonly campaigns: BoundedLabels;

  private readonly operations: Counter<'transport' | 'operation' | 'type' | 'outcome'>;
  private readonly operationSeconds: Histogram<'operation' | 'type' | 'outcome'>;
  private readonly httpResponses: Counter<'route' | 'status'>;
  private readonly wsConnections: Gauge;
  private readonly wsSubscriptions: Gauge;
  private readonly batchSize: Histogram;
  private readonly batchWait: Histogram;
  private readonly campaignRuns: Counter<'campaign'>;
  private readonly rateLimited: Counter<'limit'>;
  private readonly deliveryAttempts: Counter<'kind' | 'result'>;

  constructor(config: Partial<MetricsConfig> = {}) {
    this.config = { ...DEFAULT_METRICS_CONFIG, ...config };
    this.operationNames = new BoundedLabels(this.config.maxOperationNames);
    this.campaigns = new BoundedLabels(this.config.maxCampaigns);
    const registers = [this.registry];
    if (this.config.enabled) collectDefaultMetrics({ register: this.registry });

    this.operations = new Counter({
      name: 'graphql_operations_total',
      help: 'GraphQL operations by transport, operation name (bounded; `other` for unnamed and past the bound), type and outcome (the first error code, or ok). A subscription counts once, when it is set up.',
      labelNames: ['transport', 'operation', 'type', 'outcome'],
      registers,
    });
    this.operationSeconds = new Histogram({
      name: 'graphql_operation_duration_seconds',
      help: 'Time from receiving a GraphQL operation to its answer (a subscription: to its stream being set up), HTTP and WebSocket.',
      labelNames: ['operation', 'type', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
      registers,
    });
    this.httpResponses = new Counter({
      name: 'http_responses_total',
      help: 'HTTP responses by route (/graphql, /health, /ready, /metrics, other) and status code.',
      labelNames: ['route', 'status'],
      registers,
    });
    this.wsConnections = new Gauge({
      name: 'websocket_connections',
      help: 'Open graphql-ws connections that were acknowledged (a valid key).',
      registers,
    });
    this.wsSubscriptions = new Gauge({
      name: 'websocket_subscriptions_active',
      help: 'GraphQL subscriptions streaming over WebSocket now.',
      registers,
    });
    this.batchSize = new Histogram({
      name: 'activity_write_batch_size',
      help: 'recordChatActivity calls written together by the write coalescer, per batch.',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers,
    });
    this.batchWait = new Histogram({
      name: 'activity_write_queue_wait_seconds',
      help: 'How long a recordChatActivity call waited in the write coalescer before its batch was written.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.campaignRuns = new Counter({
      name: 'campaign_runs_total',
      help: 'Campaign runs committed by this instance, by campaign id (existing campaigns, bounded; `other` past the bound).',
      labelNames: ['campaign'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'rate_limit_rejections_total',
      help: 'Requests and WebSocket operations refused by a rate limit: per API key (key) or per client address without a valid key (ip).',
      labelNames: ['limit'],
      registers,
    });
    this.deliveryAttempts = new Counter({
      name: 'delivery_attempts_total',
      help: 'Outbox delivery attempts made by this instance, by kind and result (delivered, retry, dead).',
      labelNames: ['kind', 'result'],
      registers,
    });
  }

  // ------------------------------------------------------------ events

  operation(sample: OperationSample): void {
    const operation =
      sample.trusted && sample.name && GRAPHQL_NAME.test(sample.name) ? this.operationNames.label(sample.name) : OTHER;
    const outcome = sample.errorCode === undefined ? 'ok' : OUTCOMES.has(sample.errorCode) ? sample.errorCode : OTHER;
    this.operations.inc({ transport: sample.transport, operation, type: sample.type, outcome });
    this.operationSeconds.observe({ operation, type: sample.type, outcome }, sample.seconds);
  }

  httpResponse(route: string, status: number): void {
    this.httpResponses.inc({ route, status: String(status) });
  }

  wsConnectionOpened(): void {
    this.wsConnections.inc();
  }

  wsConnectionClosed(): void {
    this.wsConnections.dec();
  }

  subscriptionStarted(): void {
    this.wsSubscriptions.inc();
  }

  subscriptionEnded(): void {
    this.wsSubscriptions.dec();
  }

  /** One coalesced batch: its size and how long each of its items waited. */
  writeBatch(size: number, waitsSeconds: readonly number[]): void {
    this.batchSize.observe(size);
    for (const wait of waitsSeconds) this.batchWait.observe(wait);
  }

  campaignRunsCommitted(campaignIds: readonly string[]): void {
    for (const id of campaignIds) this.campaignRuns.inc({ campaign: this.campaigns.label(id) });
  }

  rateLimitRejected(limit: 'key' | 'ip' | 'public_ip' | 'public_visitor' | 'public_workspace'): void {
    this.rateLimited.inc({ limit });
  }

  deliveryAttempt(kind: string, result: 'delivered' | 'retry' | 'dead'): void {
    this.deliveryAttempts.inc({ kind, result });
  }

  // ------------------------------------------------------------ scrape-time readings

  /** Pool gauges, read at each scrape (only registered where there is a pool: MySQL/MariaDB). */
  readPool(read: () => PoolCounts): void {
    const registers = [this.registry];
    const gauge = (name: string, help: string, pick: (counts: PoolCounts) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(pick(read()));
        },
      });
    gauge('db_pool_connections_max', 'Connections the database pool may open (DATABASE_POOL_SIZE).', (c) => c.size);
    gauge('db_pool_connections_open', 'Connections the database pool holds open.', (c) => c.open);
    gauge('db_pool_connections_in_use', 'Pool connections lent out to a query or transaction now.', (c) => c.inUse);
    gauge('db_pool_waiting', 'Callers waiting for a free pool connection now.', (c) => c.waiting);
  }

  /**
   * Outbox gauges, read at each scrape by one bounded query batch; a failed
   * read leaves the last values (and counts in metrics_collect_errors_total).
   */
  readOutbox(read: () => Promise<OutboxCounts>, cap: number): void {
    const errors = this.collectErrors();
    let reading: Promise<OutboxCounts | undefined> | undefined;
    // Both gauges are collected in one scrape: one read serves them.
    const once = () =>
      (reading ??= read()
        .catch(() => {
          errors.inc({ source: 'outbox' });
          return undefined;
        })
        .finally(() => setImmediate(() => (reading = undefined))));
    new Gauge({
      name: 'delivery_outbox_rows',
      help: `Outbox rows by status: PENDING (due or waiting for a retry) and DEAD (until retried or expired), each counted up to ${cap}.`,
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        const counts = await once();
        if (!counts) return;
        this.set({ status: 'PENDING' }, counts.pending);
        this.set({ status: 'DEAD' }, counts.dead);
      },
    });
    new Gauge({
      name: 'delivery_oldest_due_age_seconds',
      help: 'How long the oldest due PENDING delivery has been due (0 when none is).',
      registers: [this.registry],
      async collect() {
        const counts = await once();
        if (counts) this.set(counts.oldestDueAgeSeconds);
      },
    });
  }

  /**
   * Drops the campaign label of campaigns that no longer exist, freeing their
   * place in the bound: `existing` answers which of the labelled ids still do.
   */
  pruneCampaigns(existing: (ids: string[]) => Promise<string[]>): void {
    const errors = this.collectErrors();
    const campaigns = this.campaigns;
    const runs = this.campaignRuns;
    new Gauge({
      name: 'campaign_run_labels',
      help: 'Campaigns that have a campaign_runs_total label of their own (bounded by METRICS_MAX_CAMPAIGNS).',
      registers: [this.registry],
      async collect() {
        const labelled = campaigns.values();
        if (labelled.length > 0) {
          try {
            const alive = new Set(await existing(labelled));
            for (const id of labelled) {
              if (alive.has(id)) continue;
              campaigns.forget(id);
              runs.remove({ campaign: id });
            }
          } catch {
            errors.inc({ source: 'campaigns' });
          }
        }
        this.set(campaigns.values().length);
      },
    });
  }

  private collectErrorsCounter: Counter<'source'> | undefined;

  private collectErrors(): Counter<'source'> {
    return (this.collectErrorsCounter ??= new Counter({
      name: 'metrics_collect_errors_total',
      help: 'Scrape-time readings that failed (the database did not answer in time), by source.',
      labelNames: ['source'],
      registers: [this.registry],
    }));
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
