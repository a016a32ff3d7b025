import { createHmac, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { DeliveryConfig } from '../config';
import { isMysql, placeholders } from '../db/sql';
import type { Logger } from '../logger';
import { DeliveryStatus } from './delivery.model';
import type { DeliveryService } from './delivery.service';

const BATCH = 20;
const MAX_ERROR = 1000;
const BACKOFF_CAP_MS = 60 * 60 * 1000;

interface Claimed {
  id: string;
  workspace_id: string;
  url: string;
  payload: string;
  attempts: number;
}

/** Exponential backoff with full jitter: random(0, min(cap, base * 2^(attempt-1))). */
export function backoffMs(attempt: number, baseMs: number, random = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.floor(random() * ceiling);
}

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/**
 * POSTs due outbox rows. Claiming is safe with several instances: a claim
 * sets a lease (owner + lease_until) on PENDING, due, unleased (or expired)
 * rows; MySQL picks them with SELECT … FOR UPDATE SKIP LOCKED in a short
 * transaction, SQLite (one writer) with one atomic UPDATE. A process that
 * dies mid-send leaves a lease that expires, so the row is sent again (same
 * X-Delivery-Id) — at least once, never lost.
 */
export class DeliveryWorker {
  private readonly owner = randomUUID();
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private wakeRequested = false;
  private wakeSleeper: (() => void) | undefined;
  private readonly inFlight = new Set<AbortController>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveryService,
    private readonly config: DeliveryConfig,
    private readonly log: Logger,
  ) {}

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

  async stop(): Promise<void> {
    this.running = false;
    for (const controller of this.inFlight) controller.abort();
    this.wakeSleeper?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.wakeRequested = false;
      let claimed = 0;
      try {
        claimed = await this.runOnce();
      } catch (err) {
        if (this.running) this.log.error({ err }, 'delivery worker pass failed');
      }
      if (!this.running) break;
      if (claimed >= BATCH || this.wakeRequested) continue;
      await new Promise<void>((resolve) => {
        this.wakeSleeper = resolve;
        this.timer = setTimeout(resolve, this.config.pollMs);
      });
      clearTimeout(this.timer);
      this.wakeSleeper = undefined;
    }
  }

  /** Claims one batch and sends it; returns how many were claimed. */
  async runOnce(): Promise<number> {
    const rows = await this.claim();
    await Promise.all(rows.map((row) => this.send(row)));
    return rows.length;
  }

  private async claim(): Promise<Claimed[]> {
    const now = Date.now();
    const token = `${this.owner.slice(0, 8)}:${randomUUID()}`;
    const leaseUntil = now + this.leaseMs;
    const due = `status = ? AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)`;
    const dueParams = [DeliveryStatus.PENDING, now, now];
    if (isMysql(this.dataSource)) {
      const ids = await this.dataSource.transaction('READ COMMITTED', async (tx) => {
        const found: Array<{ id: string }> = await tx.query(
          `SELECT id FROM delivery WHERE ${due} ORDER BY next_attempt_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
          dueParams,
        );
        if (found.length === 0) return [];
        const list = found.map((r) => r.id);
        await tx.query(`UPDATE delivery SET lease_owner = ?, lease_until = ? WHERE id IN (${placeholders(list.length)})`, [token, leaseUntil, ...list]);
        return list;
      });
      if (ids.length === 0) return [];
    } else {
      await this.dataSource.query(
        `UPDATE delivery SET lease_owner = ?, lease_until = ? WHERE id IN (SELECT id FROM delivery WHERE ${due} ORDER BY next_attempt_at LIMIT ${BATCH})`,
        [token, leaseUntil, ...dueParams],
      );
    }
    const rows: Claimed[] = await this.dataSource.query('SELECT id, workspace_id, url, payload, attempts FROM delivery WHERE lease_owner = ?', [token]);
    return rows.map((r) => ({ ...r, attempts: Number(r.attempts), leaseToken: token })) as Claimed[];
  }

  private async send(row: Claimed & { leaseToken?: string }): Promise<void> {
    const token = row.leaseToken!;
    let error: string | null = null;
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(new Error(`timed out after ${this.config.timeoutMs} ms`)), this.config.timeoutMs);
    try {
      const secret = await this.deliveries.signingSecret(row.workspace_id);
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-delivery-id': row.id, 'user-agent': 'dynamic-chat-delivery/1' };
      if (secret) headers['x-signature'] = signBody(secret, row.payload);
      const res = await fetch(row.url, { method: 'POST', headers, body: row.payload, redirect: 'manual', signal: controller.signal });
      // The body is not needed: discard it without reading it into memory.
      await res.body?.cancel().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (err) {
      const cause = (err as { cause?: { message?: string; code?: string } }).cause;
      error = controller.signal.aborted
        ? String((controller.signal.reason as Error | undefined)?.message ?? 'aborted')
        : `${(err as Error).message}${cause ? `: ${cause.code ?? cause.message}` : ''}`;
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
    const now = Date.now();
    const attempts = row.attempts + 1;
    try {
      if (error === null) {
        await this.dataSource.query(
          'UPDATE delivery SET status = ?, attempts = ?, delivered_at = ?, next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?',
          [DeliveryStatus.DELIVERED, attempts, now, row.id, token],
        );
        return;
      }
      const dead = attempts >= this.config.maxAttempts;
      await this.dataSource.query(
        'UPDATE delivery SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?',
        [
          dead ? DeliveryStatus.DEAD : DeliveryStatus.PENDING,
          attempts,
          error.slice(0, MAX_ERROR),
          dead ? null : now + backoffMs(attempts, this.config.backoffBaseMs),
          row.id,
          token,
        ],
      );
      this.log.warn({ deliveryId: row.id, attempts, dead, error: error.slice(0, 200) }, 'delivery attempt failed');
    } catch (err) {
      // The lease expires and the row is tried again.
      this.log.error({ err, deliveryId: row.id }, 'could not record a delivery attempt');
    }
  }
}
