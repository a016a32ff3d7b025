import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config';
import { requestIdFrom } from '../graphql/context';
import { parseByteSize } from './byte-size';
import { trustProxyOption } from './client-ip';

/**
 * What browsers may send cross-origin: the key, JSON bodies, request ids,
 * Apollo's CSRF header, W3C trace context (OpenTelemetry's fetch
 * instrumentation adds it) and the headers Apollo Client sets (client
 * awareness, and the operation name our CSRF error suggests).
 */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'X-Request-Id',
  'Apollo-Require-Preflight',
  'X-Apollo-Operation-Name',
  'Apollographql-Client-Name',
  'Apollographql-Client-Version',
  'Traceparent',
  'Tracestate',
];

/** Node's own limit for receiving one request, which Fastify turns off by default. */
const REQUEST_TIMEOUT_MS = 300_000;

/**
 * The Fastify instance every route is mounted on: proxy trust, the body
 * limit, request ids, JSON bodies, security headers and CORS. Fastify sends
 * no ETag and no X-Powered-By.
 */
export async function createHttpServer(
  config: Pick<Config, 'trustProxy' | 'bodyLimit' | 'corsOrigins'>,
): Promise<FastifyInstance> {
  const fastify = Fastify({
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: parseByteSize(config.bodyLimit),
    // request.id is a sane incoming X-Request-Id (from a proxy) so logs correlate, or a new one.
    requestIdHeader: false,
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    routerOptions: { ignoreTrailingSlash: true },
    requestTimeout: REQUEST_TIMEOUT_MS,
  });
  // Only JSON bodies are read. Any other type reaches Apollo unread, which refuses it as Express's stack
  // did (CSRF prevention for text/plain and forms, a 400 for the rest), instead of Fastify's 415.
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  await fastify.register(helmet);
  await fastify.register(cors, {
    origin: config.corsOrigins === '*' ? '*' : config.corsOrigins.split(',').map((origin) => origin.trim()),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
    // Every OPTIONS is answered as a preflight, as the Express cors middleware did, not refused with a 400.
    strictPreflight: false,
  });
  return fastify;
}
