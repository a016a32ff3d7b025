import type { Tracing } from './tracing';

/**
 * Imported first by main.ts, before any module tracing instruments: starts
 * OpenTelemetry when an OTLP endpoint is configured, and loads none of it
 * otherwise (tracing is off by default).
 */
const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;

const tracing: Tracing | undefined = endpoint
  ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when tracing is on
    (require('./tracing') as typeof import('./tracing')).startTracing()
  : undefined;

/** Exports what is still buffered; a no-op with tracing off. */
export async function stopTracing(): Promise<void> {
  await tracing?.shutdown();
}
