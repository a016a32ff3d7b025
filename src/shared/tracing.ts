import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';

/**
 * The app's own spans, over the OpenTelemetry API only: without the SDK
 * (src/telemetry/tracing.ts, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set)
 * every call here is a no-op that costs next to nothing.
 */
const tracer = trace.getTracer('dynamic-chat-activity-api');

/** The active trace context, to run later work in it (a coalesced batch). */
export const activeContext = (): Context => context.active();

/**
 * Runs a batch written for several callers in the trace of the first one,
 * as a span that links to every caller's span: each caller's trace shows
 * where its write went.
 */
export function inBatchSpan<T>(name: string, callers: readonly Context[], work: () => Promise<T>): Promise<T> {
  const parent = callers[0] ?? ROOT_CONTEXT;
  if (!trace.getSpan(parent)?.isRecording()) return context.with(parent, work);
  const links: Link[] = [];
  for (const caller of callers) {
    const span = trace.getSpanContext(caller);
    if (span) links.push({ context: span });
  }
  return tracer.startActiveSpan(name, { links, attributes: { 'batch.size': callers.length } }, parent, (span) =>
    finish(span, work),
  );
}

/** The W3C traceparent of the active span, to store with work done later on its behalf (an outbox row); null without one. */
export function currentTraceparent(): string | null {
  if (!trace.getSpan(context.active())?.isRecording()) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/**
 * Runs `work` in a new span whose parent is a stored traceparent (or the
 * current context when there is none): work done long after the request
 * that caused it still belongs to its trace.
 */
export function withStoredParent<T>(
  traceparent: string | null,
  name: string,
  attributes: Record<string, string | number>,
  work: () => Promise<T>,
): Promise<T> {
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : context.active();
  return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent, (span) => finish(span, work));
}

async function finish<T>(span: Span, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    span.end();
  }
}
