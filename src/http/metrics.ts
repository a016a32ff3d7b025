import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { AppMetrics } from '../metrics/metrics';

export const METRICS_PATH = '/metrics';

/** The routes that get a label of their own in http_responses_total; the rest (404s, scans) are `other`. */
const ROUTES = new Set(['/graphql', '/health', '/ready', METRICS_PATH]);

/**
 * Counts every response of the Fastify instance by route and status. Added
 * to the root instance (not registered as an encapsulated plugin) so that it
 * sees every route, the 404s and the answers of the error handler.
 */
export function countResponses(fastify: FastifyInstance, metrics: AppMetrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url;
    metrics.httpResponse(route && ROUTES.has(route) ? route : 'other', reply.statusCode);
    done();
  });
}

/**
 * Metrics on the Fastify instance: responses counted, and /metrics on the API
 * port, or on a server of its own (returned, to listen and close with the
 * app) when METRICS_PORT is set. Nothing when metrics are off.
 */
export function mountMetrics(
  fastify: FastifyInstance,
  metrics: AppMetrics,
  config: { enabled: boolean; port?: number },
): MetricsServer | undefined {
  countResponses(fastify, metrics);
  if (!config.enabled) return undefined;
  if (config.port !== undefined) return new MetricsServer(metrics);
  metricsRoute(fastify, metrics);
  return undefined;
}

/** GET /metrics on the API's own port. */
export function metricsRoute(fastify: FastifyInstance, metrics: AppMetrics): void {
  fastify.get(METRICS_PATH, async (_request, reply) => {
    const { contentType, body } = await metrics.scrape();
    return reply.header('content-type', contentType).header('cache-control', 'no-store').send(body);
  });
}

/**
 * /metrics on a port of its own (METRICS_PORT), a plain node:http server:
 * the API port can then stay public while the scrape port is reachable only
 * from inside the network.
 */
export class MetricsServer {
  private readonly server: Server;

  constructor(metrics: AppMetrics) {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'GET' || path !== METRICS_PATH) {
        res.writeHead(path === METRICS_PATH ? 405 : 404).end();
        return;
      }
      metrics.scrape().then(
        ({ contentType, body }) =>
          res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body),
        () => res.writeHead(500).end(),
      );
    });
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  address(): AddressInfo | undefined {
    return (this.server.address() as AddressInfo | null) ?? undefined;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
