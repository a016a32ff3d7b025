import type { FastifyPluginCallback } from 'fastify';
import type { DataSource } from 'typeorm';
import { withDeadline } from '../db/deadline';

export interface HealthOptions {
  dataSource: DataSource;
  /** True once stop() began: /ready answers 503 so load balancers stop sending traffic. */
  draining: () => boolean;
}

/** How long /ready waits for the database before calling it unreachable. */
const READY_TIMEOUT_MS = 2_000;

/**
 * Whether the database serves this API: a real table is read (the
 * migrations'), so a database that answers `SELECT 1` but lost its schema,
 * or keeps the table locked past the deadline, is not ready. The deadline
 * reaches the statement too (db/deadline.ts), so a stuck check does not
 * keep a pool connection.
 */
async function databaseAnswers(dataSource: DataSource): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      withDeadline(Date.now() + READY_TIMEOUT_MS, () => dataSource.query('SELECT COUNT(*) AS n FROM migrations')).then(
        () => true,
      ),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
      }),
    ]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness: the process answers. Readiness: it can do useful work (database reachable, not shutting down). */
export const health: FastifyPluginCallback<HealthOptions> = (fastify, { dataSource, draining }, done) => {
  fastify.get('/health', (_request, reply) => reply.send({ status: 'ok' }));
  fastify.get('/ready', async (_request, reply) => {
    if (draining()) return reply.code(503).send({ status: 'draining' });
    const ok = await databaseAnswers(dataSource);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'database unreachable' });
  });
  done();
};
