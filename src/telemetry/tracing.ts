import type { IncomingMessage } from 'node:http';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MySQL2Instrumentation } from '@opentelemetry/instrumentation-mysql2';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK, type tracing } from '@opentelemetry/sdk-node';
import { BetterSqlite3Instrumentation } from 'opentelemetry-plugin-better-sqlite3';

/** Requests that would only add noise to traces: probes and scrapes. */
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics']);

export interface TracingOptions {
  /** Where spans go; unset: the OTLP exporter the OTEL_EXPORTER_OTLP_* variables configure (batched). */
  spanProcessors?: tracing.SpanProcessor[];
}

export interface Tracing {
  /** Flushes what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry tracing through @opentelemetry/sdk-node: the incoming HTTP
 * request (a `traceparent` header is continued), the GraphQL parse, validate
 * and execute steps (resolvers are not spanned: one span per field would cost
 * more than the field), every SQL statement (mysql2, or better-sqlite3 on
 * SQLite), and outgoing fetch() calls, which carry `traceparent` (the
 * delivery worker's POSTs). Traces only: metrics are Prometheus' (/metrics)
 * and logs stay JSON on stdout.
 *
 * It patches modules as they load, so it must start before anything loads
 * them: main.ts imports ./register first of all, which starts it when
 * OTEL_EXPORTER_OTLP_ENDPOINT (or the traces-only variant) is set.
 */
export function startTracing(options: TracingOptions = {}): Tracing {
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME || 'dynamic-chat-activity-api',
    spanProcessors: options.spanProcessors,
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.has((request.url ?? '').split('?')[0]),
      }),
      new UndiciInstrumentation(),
      new GraphQLInstrumentation({ ignoreResolveSpans: true, mergeItems: true }),
      new MySQL2Instrumentation(),
      new BetterSqlite3Instrumentation(),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
