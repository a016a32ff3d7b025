import { In, LessThan, type DataSource, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { insertOrIgnore, isMysql, placeholders, selectEntities } from '../db/sql';
import { inTransaction } from '../db/transaction';
import { currentTraceparent } from '../shared/tracing';
import { PersonEntity } from '../person/person.entity';
import { DeliveryEntity } from './delivery.entity';
import { type DeliveryKind, DeliveryStatus } from './delivery.model';
import { SalesInsightSettingsEntity } from './sales-insight-settings.entity';

const INSERT_CHUNK = 200;
const INSERT_COLUMNS =
  'id, workspace_id, kind, status, activity_id, campaign_run_id, url, payload, attempts, next_attempt_at, created_at, trace_parent';
const DUE = 'status = ? AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)';

type SettingsChange = Pick<
  SalesInsightSettingsEntity,
  'enabled' | 'endpointUrl' | 'signingSecretEnc' | 'activityTypes'
>;

/**
 * The SQL of Sales Insight settings and the delivery outbox. Settings and the
 * admin reads go through TypeORM's repository API; the outbox writes (in the
 * recording transaction) and the worker's leases are plain SQL, rows
 * hydrated as entities.
 */
export class DeliveryRepository {
  constructor(private readonly dataSource: DataSource) {}

  // ------------------------------------------------------------ settings

  async settings(workspaceId: string, tx?: EntityManager): Promise<SalesInsightSettingsEntity | null> {
    return (tx ?? this.dataSource.manager).getRepository(SalesInsightSettingsEntity).findOneBy({ workspaceId });
  }

  /**
   * Read-modify-write of a workspace's settings under its row lock: the row is
   * created first if missing (insert-or-ignore, so two concurrent first
   * updates cannot both INSERT), then locked, changed and written. `change`
   * may throw to store nothing.
   */
  async updateSettings(
    workspaceId: string,
    change: (current: SalesInsightSettingsEntity) => SettingsChange,
  ): Promise<void> {
    const now = Date.now();
    await inTransaction(this.dataSource, async (tx) => {
      await tx.query(
        `${insertOrIgnore(tx)} INTO sales_insight_settings (workspace_id, enabled, activity_types, updated_at) VALUES (?, 0, '[]', ?)`,
        [workspaceId, now],
      );
      const [current] = await selectEntities(
        tx,
        SalesInsightSettingsEntity,
        's',
        `WHERE s.workspace_id = ?${isMysql(tx) ? ' FOR UPDATE' : ''}`,
        [workspaceId],
      );
      const next = change(current);
      await tx.getRepository(SalesInsightSettingsEntity).update({ workspaceId }, { ...next, updatedAt: new Date(now) });
    });
  }

  // ------------------------------------------------------------ outbox writes (inside `tx`)

  /** Multi-row INSERTs of new PENDING deliveries, due now. */
  async insert(tx: EntityManager, deliveries: readonly DeliveryEntity[]): Promise<void> {
    // The recording's trace (tracing on): the worker's attempts continue it, however much later they run.
    const traceParent = currentTraceparent();
    for (let i = 0; i < deliveries.length; i += INSERT_CHUNK) {
      const chunk = deliveries.slice(i, i + INSERT_CHUNK);
      await tx.query(
        `INSERT INTO delivery (${INSERT_COLUMNS}) VALUES ${chunk.map(() => `(${placeholders(12)})`).join(', ')}`,
        chunk.flatMap((d) => [
          d.id,
          d.workspaceId,
          d.kind,
          d.status,
          d.activityId,
          d.campaignRunId,
          d.url,
          d.payload,
          d.attempts,
          d.nextAttemptAt!.getTime(),
          d.createdAt.getTime(),
          d.traceParent ?? traceParent,
        ]),
      );
    }
  }

  async people(tx: EntityManager, ids: readonly string[]): Promise<PersonEntity[]> {
    return selectEntities(tx, PersonEntity, 'p', `WHERE p.id IN (${placeholders(ids.length)})`, [...ids]);
  }

  // ------------------------------------------------------------ reads and retry

  /** Newest first (UUIDv7 ids are time-ordered), keyset before `beforeId`. */
  async list(
    workspaceId: string,
    options: { limit: number; beforeId?: string | null; status?: DeliveryStatus | null; kind?: DeliveryKind | null },
  ): Promise<DeliveryEntity[]> {
    const where: FindOptionsWhere<DeliveryEntity> = { workspaceId };
    if (options.status) where.status = options.status;
    if (options.kind) where.kind = options.kind;
    if (options.beforeId) where.id = LessThan(options.beforeId);
    return this.dataSource.getRepository(DeliveryEntity).find({ where, order: { id: 'DESC' }, take: options.limit });
  }

  async get(workspaceId: string, id: string): Promise<DeliveryEntity | null> {
    return this.dataSource.getRepository(DeliveryEntity).findOneBy({ workspaceId, id });
  }

  async getMany(workspaceId: string, ids: readonly string[]): Promise<DeliveryEntity[]> {
    if (ids.length === 0) return [];
    return this.dataSource.getRepository(DeliveryEntity).findBy({ workspaceId, id: In([...new Set(ids)]) });
  }

  /**
   * A DEAD delivery starts a new round (attempts back to 0), a PENDING one is
   * due now; a DELIVERED one is left alone.
   */
  async retry(workspaceId: string, id: string): Promise<void> {
    // attempts is assigned before status: MySQL evaluates SET left to right with the new values, SQLite with the old ones.
    await this.dataSource.query(
      `UPDATE delivery SET attempts = CASE WHEN status = ? THEN 0 ELSE attempts END, status = ?, next_attempt_at = ?
        WHERE workspace_id = ? AND id = ? AND status <> ?`,
      [DeliveryStatus.DEAD, DeliveryStatus.PENDING, Date.now(), workspaceId, id, DeliveryStatus.DELIVERED],
    );
  }

  // ------------------------------------------------------------ the worker's leases

  /**
   * Leases up to `limit` due rows to `token` until `leaseUntil` and returns
   * them with their payload. On MySQL the rows are picked with SELECT … FOR
   * UPDATE SKIP LOCKED in a short transaction (READ COMMITTED, the pooled
   * connections' session default), so concurrent claimers take different rows
   * without waiting; on SQLite (a single writer) an UPDATE that re-checks the
   * same conditions decides.
   */
  async claim(token: string, limit: number, now: number, leaseUntil: number): Promise<DeliveryEntity[]> {
    const dueParams = [DeliveryStatus.PENDING, now, now];
    const pick = `SELECT id FROM delivery WHERE ${DUE} ORDER BY next_attempt_at LIMIT ${Math.floor(limit)}`;
    const read = (db: DataSource | EntityManager, ids: string[]) =>
      selectEntities(
        db,
        DeliveryEntity,
        'd',
        `WHERE d.id IN (${placeholders(ids.length)}) AND d.lease_owner = ?`,
        [...ids, token],
        ['payload'],
      );
    if (isMysql(this.dataSource)) {
      return inTransaction(this.dataSource, async (tx) => {
        const ids = (await tx.query<Array<{ id: string }>>(`${pick} FOR UPDATE SKIP LOCKED`, dueParams)).map(
          (r) => r.id,
        );
        if (ids.length === 0) return [];
        await tx.query(
          `UPDATE delivery SET lease_owner = ?, lease_until = ? WHERE id IN (${placeholders(ids.length)})`,
          [token, leaseUntil, ...ids],
        );
        return read(tx, ids);
      });
    }
    const ids = (await this.dataSource.query<Array<{ id: string }>>(pick, dueParams)).map((r) => r.id);
    if (ids.length === 0) return [];
    // Re-checked in the UPDATE: another process may have claimed some since the SELECT.
    await this.dataSource.query(
      `UPDATE delivery SET lease_owner = ?, lease_until = ? WHERE id IN (${placeholders(ids.length)}) AND ${DUE}`,
      [token, leaseUntil, ...ids, ...dueParams],
    );
    return read(this.dataSource, ids);
  }

  /** Each outcome is written only while the lease is still `token`'s. */
  async delivered(id: string, token: string, attempts: number, now: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE delivery SET status = ?, attempts = ?, last_attempt_at = ?, delivered_at = ?, next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL
        WHERE id = ? AND lease_owner = ?`,
      [DeliveryStatus.DELIVERED, attempts, now, now, id, token],
    );
  }

  /** A failed attempt: PENDING again with its next attempt at `nextAttemptAt`, or DEAD when that is null. */
  async failed(
    id: string,
    token: string,
    attempt: { attempts: number; error: string; now: number; nextAttemptAt: number | null },
  ): Promise<void> {
    const { attempts, error, now, nextAttemptAt } = attempt;
    await this.dataSource.query(
      `UPDATE delivery SET status = ?, attempts = ?, last_error = ?, last_attempt_at = ?, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL
        WHERE id = ? AND lease_owner = ?`,
      [
        nextAttemptAt === null ? DeliveryStatus.DEAD : DeliveryStatus.PENDING,
        attempts,
        error,
        now,
        nextAttemptAt,
        id,
        token,
      ],
    );
  }

  // ------------------------------------------------------------ scrape-time counts and retention

  /**
   * PENDING and DEAD rows, each counted up to `cap` (an index range scan that
   * stops there), and when the oldest due PENDING row came due (the due
   * index's first entry): bounded work whatever the table's size.
   */
  async outboxCounts(cap: number, now: number): Promise<{ pending: number; dead: number; oldestDueAt: number | null }> {
    const capped = (status: DeliveryStatus) =>
      this.dataSource.query<Array<{ n: number | string }>>(
        `SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM delivery WHERE status = ? LIMIT ${Math.floor(cap)}) capped`,
        [status],
      );
    const [pending, dead, oldest] = await Promise.all([
      capped(DeliveryStatus.PENDING),
      capped(DeliveryStatus.DEAD),
      this.dataSource.query<Array<{ due: number | string | null }>>(
        'SELECT MIN(next_attempt_at) AS due FROM delivery WHERE status = ? AND next_attempt_at <= ?',
        [DeliveryStatus.PENDING, now],
      ),
    ]);
    const due = oldest[0]?.due;
    return {
      pending: Number(pending[0].n),
      dead: Number(dead[0].n),
      oldestDueAt: due === null || due === undefined ? null : Number(due),
    };
  }

  /**
   * Deletes up to `limit` rows of `status` whose last attempt is older than
   * `before` (for DELIVERED rows that is their delivery time); returns how
   * many went. The ids are read first (MySQL takes no LIMIT in a subquery of
   * the table being deleted from), then deleted with the condition checked
   * again, so a DEAD row retried in between (PENDING again) stays.
   */
  async deleteExpired(
    status: DeliveryStatus.DELIVERED | DeliveryStatus.DEAD,
    before: number,
    limit: number,
  ): Promise<number> {
    const extra = status === DeliveryStatus.DELIVERED ? ' AND delivered_at < ?' : '';
    const params = status === DeliveryStatus.DELIVERED ? [status, before, before] : [status, before];
    const ids = (
      await this.dataSource.query<Array<{ id: string }>>(
        `SELECT id FROM delivery WHERE status = ? AND last_attempt_at < ?${extra} ORDER BY last_attempt_at LIMIT ${Math.floor(limit)}`,
        params,
      )
    ).map((row) => row.id);
    if (ids.length === 0) return 0;
    const { affected } = await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(DeliveryEntity)
      .where(`id IN (:...ids) AND status = :status AND last_attempt_at < :before`, { ids, status, before })
      .execute();
    return affected ?? ids.length;
  }

  /** Hands a leased row back untouched (not an attempt). */
  async release(id: string, token: string): Promise<void> {
    await this.dataSource.query(
      'UPDATE delivery SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?',
      [id, token],
    );
  }
}
