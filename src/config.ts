/**
 * Runtime configuration, read once from the environment. Every variable is
 * documented in the README's configuration table; keep the two in step.
 */
export interface DatabaseConfig {
  /** `sqlite` (embedded, better-sqlite3) or `mysql` (MySQL 8 / MariaDB 10.6+ through mysql2). */
  kind: 'sqlite' | 'mysql';
  /** SQLite: file path or `:memory:`. MySQL: the connection URL. */
  url: string;
  /** Connections in the MySQL pool. */
  poolSize: number;
  /** Longest one statement may run (never longer than what is left of the request's deadline); SQLite: its busy timeout. */
  statementTimeoutMs?: number;
  /** Longest a request waits for a free pool connection (MySQL). */
  acquireTimeoutMs?: number;
}

/**
 * Abuse limits for every operation, on HTTP and on graphql-ws alike
 * (enforced by src/graphql/limits.ts).
 */
export interface QueryLimits {
  /** Deepest selection nesting (fragments flattened). */
  maxDepth: number;
  /** Aliased fields per operation (aliases multiply work without multiplying the query size). */
  maxAliases: number;
  /** Lexer tokens per document: bounds parse time and memory before anything else runs. */
  maxTokens: number;
  /** Estimated cost: 1 per field, connections multiply their children by `first`. */
  maxCost: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxAliases: 15, maxTokens: 5_000, maxCost: 5_000 };

export interface RateLimitConfig {
  /** Requests (HTTP) and operations (WebSocket) per second per API key; 0 turns it off. */
  perKeyPerSecond: number;
  /** Requests per minute per client IP that carry no valid key; 0 turns it off. */
  unauthenticatedPerIpPerMinute: number;
  /** Concurrent subscriptions one WebSocket connection may hold. */
  subscriptionsPerConnection: number;
  /** Public (RECORD-only) keys: requests and operations per second per key and client address; 0 turns it off. */
  publicPerIpPerSecond: number;
  /** Public keys: recordings and identifications per second per key and visitor id; 0 turns it off. */
  publicPerVisitorPerSecond: number;
  /** Public keys: the ceiling of all their requests per second in one workspace; 0 turns it off. */
  publicPerWorkspacePerSecond: number;
  /** Open WebSocket connections per client address (per instance); 0 turns it off. */
  wsConnectionsPerIp: number;
  /** Open WebSocket connections per API key (per instance); 0 turns it off. */
  wsConnectionsPerKey: number;
}

export interface Config {
  port: number;
  host: string;
  database: DatabaseConfig;
  /** Set: pub/sub goes through Redis so several instances share subscriptions. */
  redisUrl?: string;
  /** Events one subscription may fall behind by before it is ended with SUBSCRIBER_TOO_SLOW (resume with `after`). */
  subscriptionMaxPending: number;
  /** Fixes the admin key created on first start instead of generating one. */
  bootstrapApiKey?: string;
  logLevel: string;
  /** Let webhooks and Sales Insight reach private, loopback and metadata addresses (local development, tests). */
  outboundAllowPrivate: boolean;
  /** Deadline of one HTTP request or WebSocket operation's execution: past it the client gets SERVICE_UNAVAILABLE. */
  requestTimeoutMs: number;
  /** How long SIGTERM waits for in-flight HTTP requests before closing them. */
  shutdownGraceMs: number;
  /** Largest accepted HTTP request body. */
  bodyLimit: string;
  /** Expose introspection (schema browsing); turn off for hardened deployments. */
  introspection: boolean;
  /** Serve the API explorer (Altair, from this server) on GET /graphql to a browser. */
  landingPage: boolean;
  /** Per-operation abuse limits, applied on HTTP and WebSocket alike. */
  limits: QueryLimits;
  rateLimits: RateLimitConfig;
  /** Origins allowed to call the API from browsers: `*`, or a comma-separated list. */
  corsOrigins: string;
  /** Write transactions one workspace may have open at once for coalesced single recordChatActivity calls. */
  writeBatchesInFlight: number;
  /** MySQL/MariaDB: memberCount runs as this many concurrent queries over disjoint shares of the people. */
  smartListCountParallelism: number;
  /** How long a valid API key is trusted without a database lookup (revocation delay on other instances). */
  authCacheTtlMs: number;
  /** Fastify `trustProxy` (with Express's meaning of a hop count): set behind a load balancer so per-IP limits see the client address. */
  trustProxy: boolean | number | string;
  /** 32-byte key (hex or base64) encrypting stored secrets such as Sales Insight signing secrets; unset: a key file (see secret-box.ts). */
  secretsKey?: string;
  /** Where the key is kept (and generated on first start) without SECRETS_KEY; unset: beside the SQLite file, or ./data/secrets.key. */
  secretsKeyFile?: string;
  delivery: DeliveryConfig;
  /** Prometheus metrics at /metrics (src/metrics/metrics.ts). */
  metrics: MetricsConfig;
  retention: RetentionConfig;
}

/** What an operator tunes about the metrics (src/metrics/metrics.ts). */
export interface MetricsConfig {
  /** Off: no /metrics, no process metrics, no scrape-time queries (the in-process counters still count, for nothing). */
  enabled: boolean;
  /** Serve /metrics on its own port instead of the API's (0 picks a free one); unset: on the API port. */
  port?: number;
  /** Distinct operation names that get a label of their own; later ones count as `other`. */
  maxOperationNames: number;
  /** Distinct campaigns that get a label of their own in campaign_runs_total; later ones count as `other`. */
  maxCampaigns: number;
}

export const DEFAULT_METRICS_CONFIG: MetricsConfig = { enabled: true, maxOperationNames: 100, maxCampaigns: 100 };

/** The periodic clean-up of what would otherwise grow without bound (src/jobs, src/delivery/delivery-retention.ts). */
export interface RetentionConfig {
  /** DELIVERED rows older than this (by delivery) and DEAD rows (by last attempt) are deleted; 0 keeps them forever. */
  deliveryDays: number;
  /** The job runs once per this interval across all instances. */
  intervalMs: number;
}

/** The outbox worker (src/delivery/delivery.worker.ts). */
export interface DeliveryConfig {
  /** How often the worker looks for due deliveries when nothing woke it (other instances' writes, retries coming due). */
  pollMs: number;
  /** Attempts before a delivery is DEAD. */
  maxAttempts: number;
  /** Bound of one POST, response body included; a claim's lease is derived from it. */
  timeoutMs: number;
  /** Base of the exponential backoff (full jitter): after attempt n the next waits random(0, base * 2^(n-1)), capped at one hour. */
  backoffBaseMs: number;
  /** POSTs one instance has in flight at once. */
  concurrency: number;
}

export const DEFAULT_SQLITE_PATH = 'data/dynamic-chat.sqlite';

export function parseDatabaseUrl(url: string | undefined): Pick<DatabaseConfig, 'kind' | 'url'> {
  if (!url) return { kind: 'sqlite', url: DEFAULT_SQLITE_PATH };
  if (/^(mysql|mariadb):\/\//i.test(url)) return { kind: 'mysql', url: url.replace(/^mariadb:/i, 'mysql:') };
  if (/^sqlite:/i.test(url)) return { kind: 'sqlite', url: url.replace(/^sqlite:(\/\/)?/i, '') || DEFAULT_SQLITE_PATH };
  throw new Error(`DATABASE_URL must start with mysql://, mariadb:// or sqlite: (got "${url.split(':')[0]}:…")`);
}

function intFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
}

function boolFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return /^(1|true|yes|on)$/i.test(raw);
}

function parseTrustProxy(raw: string | undefined): boolean | number | string {
  if (raw === undefined || raw === '' || /^(0|false|no|off)$/i.test(raw)) return false;
  if (/^(true|yes|on)$/i.test(raw)) return true;
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: intFromEnv(env, 'PORT', 4000),
    host: env.HOST || '0.0.0.0',
    database: {
      ...parseDatabaseUrl(env.DATABASE_URL),
      poolSize: intFromEnv(env, 'DATABASE_POOL_SIZE', 10),
      statementTimeoutMs: Math.max(1, intFromEnv(env, 'DB_STATEMENT_TIMEOUT_MS', 10_000)),
      acquireTimeoutMs: Math.max(1, intFromEnv(env, 'DB_ACQUIRE_TIMEOUT_MS', 5_000)),
    },
    requestTimeoutMs: Math.max(1, intFromEnv(env, 'REQUEST_TIMEOUT_MS', 15_000)),
    outboundAllowPrivate: boolFromEnv(env, 'OUTBOUND_ALLOW_PRIVATE', false),
    redisUrl: env.REDIS_URL || undefined,
    subscriptionMaxPending: Math.max(1, intFromEnv(env, 'SUBSCRIPTION_MAX_PENDING', 10_000)),
    bootstrapApiKey: env.BOOTSTRAP_API_KEY || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    shutdownGraceMs: intFromEnv(env, 'SHUTDOWN_GRACE_MS', 10_000),
    bodyLimit: env.BODY_LIMIT || '1mb',
    introspection: boolFromEnv(env, 'INTROSPECTION', true),
    // A developer's server shows the explorer; a production one only when asked to.
    landingPage: boolFromEnv(env, 'LANDING_PAGE', env.NODE_ENV !== 'production'),
    limits: {
      maxDepth: intFromEnv(env, 'QUERY_MAX_DEPTH', DEFAULT_QUERY_LIMITS.maxDepth),
      maxAliases: intFromEnv(env, 'QUERY_MAX_ALIASES', DEFAULT_QUERY_LIMITS.maxAliases),
      maxTokens: intFromEnv(env, 'QUERY_MAX_TOKENS', DEFAULT_QUERY_LIMITS.maxTokens),
      maxCost: intFromEnv(env, 'QUERY_MAX_COST', DEFAULT_QUERY_LIMITS.maxCost),
    },
    rateLimits: {
      perKeyPerSecond: intFromEnv(env, 'RATE_LIMIT_PER_KEY_PER_SECOND', 300),
      unauthenticatedPerIpPerMinute: intFromEnv(env, 'RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE', 120),
      subscriptionsPerConnection: intFromEnv(env, 'WS_MAX_SUBSCRIPTIONS_PER_CONNECTION', 100),
      publicPerIpPerSecond: intFromEnv(env, 'RATE_LIMIT_PUBLIC_PER_IP_PER_SECOND', 20),
      publicPerVisitorPerSecond: intFromEnv(env, 'RATE_LIMIT_PUBLIC_PER_VISITOR_PER_SECOND', 10),
      publicPerWorkspacePerSecond: intFromEnv(env, 'RATE_LIMIT_PUBLIC_PER_WORKSPACE_PER_SECOND', 3_000),
      wsConnectionsPerIp: intFromEnv(env, 'WS_MAX_CONNECTIONS_PER_IP', 1_000),
      wsConnectionsPerKey: intFromEnv(env, 'WS_MAX_CONNECTIONS_PER_KEY', 20_000),
    },
    corsOrigins: env.CORS_ORIGINS || '*',
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    authCacheTtlMs: intFromEnv(env, 'AUTH_CACHE_TTL_MS', 5_000),
    writeBatchesInFlight: intFromEnv(env, 'WRITE_BATCHES_IN_FLIGHT', 4),
    smartListCountParallelism: Math.max(1, intFromEnv(env, 'SMART_LIST_COUNT_PARALLELISM', 2)),
    secretsKey: env.SECRETS_KEY || undefined,
    secretsKeyFile: env.SECRETS_KEY_FILE || undefined,
    delivery: {
      pollMs: Math.max(10, intFromEnv(env, 'DELIVERY_POLL_MS', 1_000)),
      maxAttempts: Math.max(1, intFromEnv(env, 'DELIVERY_MAX_ATTEMPTS', 12)),
      timeoutMs: Math.max(100, intFromEnv(env, 'DELIVERY_TIMEOUT_MS', 10_000)),
      backoffBaseMs: intFromEnv(env, 'DELIVERY_BACKOFF_BASE_MS', 10_000),
      concurrency: Math.max(1, intFromEnv(env, 'DELIVERY_CONCURRENCY', 16)),
    },
    metrics: {
      enabled: boolFromEnv(env, 'METRICS', DEFAULT_METRICS_CONFIG.enabled),
      port: env.METRICS_PORT ? intFromEnv(env, 'METRICS_PORT', 0) : undefined,
      maxOperationNames: intFromEnv(env, 'METRICS_MAX_OPERATION_NAMES', DEFAULT_METRICS_CONFIG.maxOperationNames),
      maxCampaigns: intFromEnv(env, 'METRICS_MAX_CAMPAIGNS', DEFAULT_METRICS_CONFIG.maxCampaigns),
    },
    retention: {
      deliveryDays: intFromEnv(env, 'DELIVERY_RETENTION_DAYS', 30),
      intervalMs: Math.max(1_000, intFromEnv(env, 'RETENTION_INTERVAL_MS', 3_600_000)),
    },
  };
}
