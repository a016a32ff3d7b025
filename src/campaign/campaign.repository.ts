import { In, LessThan, type DataSource, type EntityManager } from 'typeorm';
import type { ChatActivityType } from '../activity/activity.entity';
import { execAffected, insertOrIgnore, isMysql, placeholders, selectEntities } from '../db/sql';
import { inTransaction } from '../db/transaction';
import { PersonEntity } from '../person/person.entity';
import { CampaignQualificationEntity } from './campaign-qualification.entity';
import { CampaignRunEntity } from './campaign-run.entity';
import { CampaignTriggerEntity } from './campaign-trigger.entity';
import { CampaignEntity } from './campaign.entity';
import type { CampaignDef } from './campaign.model';

/** updated_at doubles as the definition's version: every change moves it forward, even twice in one millisecond. */
const BUMP_UPDATED_AT = 'updated_at = CASE WHEN updated_at >= ? THEN updated_at + 1 ELSE ? END';
const RUN_COLUMNS = 'id, workspace_id, campaign_id, seq, person_id, activity_id, triggered_at, steps';

type WriteCheck = (tx: EntityManager) => Promise<void>;

const inOrder = <T extends { id: string }>(ids: readonly string[], rows: readonly T[]): Array<T | null> => {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => byId.get(id) ?? null);
};

/**
 * The SQL of campaigns (campaign, campaign_trigger, campaign_run,
 * campaign_qualification, and the score a run adds to a person).
 * Definitions go through TypeORM's repository API; the write path (methods
 * taking the recording transaction `tx`) and the run replay use plain SQL,
 * rows hydrated as entities (db/sql.ts).
 */
export class CampaignRepository {
  constructor(private readonly dataSource: DataSource) {}

  // ------------------------------------------------------------ definitions

  /** `check` runs first in the transaction: what the definition names must still exist when it commits. */
  async create(campaign: CampaignEntity, check: WriteCheck): Promise<void> {
    await inTransaction(this.dataSource, async (tx) => {
      await check(tx);
      await tx.getRepository(CampaignEntity).insert(campaign);
      await this.writeTriggers(tx, campaign.workspaceId, campaign.id, campaign.definition);
    });
  }

  /** False when the workspace has no such campaign. */
  async update(
    workspaceId: string,
    id: string,
    fields: { name: string; description: string | null; definition: CampaignDef },
    check: WriteCheck,
  ): Promise<boolean> {
    return inTransaction(this.dataSource, async (tx) => {
      await check(tx);
      const now = Date.now();
      const affected = await execAffected(
        tx,
        `UPDATE campaign SET name = ?, description = ?, definition = ?, ${BUMP_UPDATED_AT} WHERE workspace_id = ? AND id = ?`,
        [fields.name, fields.description, JSON.stringify(fields.definition), now, now, workspaceId, id],
      );
      if (affected === 0) return false;
      await tx.getRepository(CampaignTriggerEntity).delete({ campaignId: id });
      await this.writeTriggers(tx, workspaceId, id, fields.definition);
      return true;
    });
  }

  async setActive(workspaceId: string, id: string, active: boolean): Promise<boolean> {
    const now = Date.now();
    const affected = await inTransaction(this.dataSource, (tx) =>
      execAffected(tx, `UPDATE campaign SET active = ?, ${BUMP_UPDATED_AT} WHERE workspace_id = ? AND id = ?`, [
        active ? 1 : 0,
        now,
        now,
        workspaceId,
        id,
      ]),
    );
    return affected > 0;
  }

  /** Its triggers, runs and qualification state go with it (foreign keys ON DELETE CASCADE). */
  async delete(workspaceId: string, id: string): Promise<boolean> {
    const { affected } = await inTransaction(this.dataSource, (tx) =>
      tx.getRepository(CampaignEntity).delete({ workspaceId, id }),
    );
    return (affected ?? 0) > 0;
  }

  async get(workspaceId: string, id: string): Promise<CampaignEntity | null> {
    return this.dataSource.getRepository(CampaignEntity).findOneBy({ workspaceId, id });
  }

  /** Which of these campaign ids still exist, in any workspace (the metrics' label bound). */
  async existingIds(ids: readonly string[]): Promise<string[]> {
    const rows = await this.dataSource
      .getRepository(CampaignEntity)
      .find({ select: { id: true }, where: { id: In([...ids]) } });
    return rows.map((row) => row.id);
  }

  async getMany(workspaceId: string, ids: readonly string[]): Promise<Array<CampaignEntity | null>> {
    const rows = await this.dataSource.getRepository(CampaignEntity).findBy({ workspaceId, id: In([...new Set(ids)]) });
    return inOrder(ids, rows);
  }

  /** Newest first, keyset before `beforeId` (ids are time-ordered UUIDv7). */
  async list(workspaceId: string, options: { limit: number; beforeId?: string | null }): Promise<CampaignEntity[]> {
    return this.dataSource.getRepository(CampaignEntity).find({
      where: options.beforeId ? { workspaceId, id: LessThan(options.beforeId) } : { workspaceId },
      order: { id: 'DESC' },
      take: options.limit,
    });
  }

  /** One index row per activity type: the write path looks campaigns up by (workspace, type). */
  private async writeTriggers(
    tx: EntityManager,
    workspaceId: string,
    campaignId: string,
    definition: CampaignDef,
  ): Promise<void> {
    const types = [...new Set(definition.triggers.map((t) => t.activity))];
    await tx
      .getRepository(CampaignTriggerEntity)
      .insert(types.map((activityType, i) => ({ campaignId, position: i + 1, workspaceId, activityType })));
  }

  // ------------------------------------------------------------------ runs

  /** A campaign's runs, newest first, keyset before `beforeSeq`. */
  async runs(campaignId: string, options: { limit: number; beforeSeq?: number | null }): Promise<CampaignRunEntity[]> {
    return this.dataSource.getRepository(CampaignRunEntity).find({
      where: options.beforeSeq != null ? { campaignId, seq: LessThan(options.beforeSeq) } : { campaignId },
      order: { seq: 'DESC' },
      take: options.limit,
    });
  }

  /** Runs with afterSeq < seq < beforeSeq, in order: a run stream's replay. */
  async runsBetween(
    campaignId: string,
    afterSeq: number,
    beforeSeq: number | null,
    limit: number,
  ): Promise<CampaignRunEntity[]> {
    return selectEntities(
      this.dataSource,
      CampaignRunEntity,
      'r',
      `WHERE r.campaign_id = ? AND r.seq > ?${beforeSeq !== null ? ' AND r.seq < ?' : ''} ORDER BY r.seq LIMIT ?`,
      beforeSeq !== null ? [campaignId, afterSeq, beforeSeq, limit] : [campaignId, afterSeq, limit],
    );
  }

  async getRuns(workspaceId: string, ids: readonly string[]): Promise<Array<CampaignRunEntity | null>> {
    const rows = await selectEntities(
      this.dataSource,
      CampaignRunEntity,
      'r',
      `WHERE r.workspace_id = ? AND r.id IN (${placeholders(ids.length)})`,
      [workspaceId, ...ids],
    );
    return inOrder(ids, rows);
  }

  /** The last sequence number allocated (0 before the first run). */
  async lastSeq(campaignId: string): Promise<number> {
    const rows: Array<{ run_seq: number | string }> = await this.dataSource.query(
      'SELECT run_seq FROM campaign WHERE id = ?',
      [campaignId],
    );
    return rows.length > 0 ? Number(rows[0].run_seq) : 0;
  }

  // ---------------------------------------------- write path (inside `tx`)

  /** Ids and versions of the active campaigns with a trigger of one of these types: one indexed query. */
  async triggeredBy(
    tx: EntityManager,
    workspaceId: string,
    types: readonly ChatActivityType[],
  ): Promise<Array<{ id: string; version: number }>> {
    const rows: Array<{ id: string; updated_at: number | string }> = await tx.query(
      `SELECT c.id, c.updated_at FROM campaign_trigger t JOIN campaign c ON c.id = t.campaign_id
       WHERE t.workspace_id = ? AND t.activity_type IN (${placeholders(types.length)}) AND c.active = 1`,
      [workspaceId, ...types],
    );
    return rows.map((r) => ({ id: r.id, version: Number(r.updated_at) }));
  }

  async byIds(tx: EntityManager, ids: readonly string[]): Promise<CampaignEntity[]> {
    return selectEntities(tx, CampaignEntity, 'c', `WHERE c.id IN (${placeholders(ids.length)})`, [...ids]);
  }

  /**
   * MySQL: qualifying inserts into campaign_qualification, whose foreign key
   * takes a shared lock on the campaign row, and the run sequence then needs
   * it exclusively: the triggered campaigns are locked first, in id order, so
   * concurrent recordings queue instead of deadlocking on the upgrade.
   * SQLite has one writer at a time.
   */
  async lockForRuns(tx: EntityManager, campaignIds: readonly string[]): Promise<void> {
    if (!isMysql(tx)) return;
    const ids = [...campaignIds].sort();
    await tx.query(`SELECT id FROM campaign WHERE id IN (${placeholders(ids.length)}) ORDER BY id FOR UPDATE`, ids);
  }

  /** ONCE_EVERY: moves the person's last run forward if it is at or before `due`; true when it did. */
  async renewQualification(
    tx: EntityManager,
    qualification: CampaignQualificationEntity,
    due: number,
  ): Promise<boolean> {
    const { campaignId, personId, lastRunAt, runId } = qualification;
    const affected = await execAffected(
      tx,
      'UPDATE campaign_qualification SET last_run_at = ?, run_id = ? WHERE campaign_id = ? AND person_id = ? AND last_run_at <= ?',
      [lastRunAt, runId, campaignId, personId, due],
    );
    return affected > 0;
  }

  /**
   * Inserts the person's qualification row unless there is one; true when
   * this call inserted it. Of two concurrent transactions, the second waits
   * on the first's row (the primary key) and then sees it.
   */
  async claimQualification(tx: EntityManager, qualification: CampaignQualificationEntity): Promise<boolean> {
    const { campaignId, personId, workspaceId, lastRunAt, runId } = qualification;
    const affected = await execAffected(
      tx,
      `${insertOrIgnore(tx)} INTO campaign_qualification (campaign_id, person_id, workspace_id, last_run_at, run_id) VALUES (?, ?, ?, ?, ?)`,
      [campaignId, personId, workspaceId, lastRunAt, runId],
    );
    return affected > 0;
  }

  /** Atomic in the database: concurrent runs add up. */
  async addScore(tx: EntityManager, personId: string, delta: number, now: number): Promise<void> {
    await tx.query('UPDATE person SET score = score + ?, updated_at = ? WHERE id = ?', [delta, now, personId]);
  }

  /** The people of the runs, as this transaction sees them (score changes included). */
  async people(tx: EntityManager, ids: readonly string[]): Promise<PersonEntity[]> {
    return selectEntities(tx, PersonEntity, 'p', `WHERE p.id IN (${placeholders(ids.length)})`, [...ids]);
  }

  /** Allocates `count` sequence numbers under the campaign's row lock; returns the first. */
  async allocateSeqs(tx: EntityManager, campaignId: string, count: number): Promise<number> {
    await tx.query('UPDATE campaign SET run_seq = run_seq + ? WHERE id = ?', [count, campaignId]);
    const [row]: Array<{ run_seq: number | string }> = await tx.query('SELECT run_seq FROM campaign WHERE id = ?', [
      campaignId,
    ]);
    return Number(row.run_seq) - count + 1;
  }

  /** One multi-row INSERT. */
  async insertRuns(tx: EntityManager, runs: readonly CampaignRunEntity[]): Promise<void> {
    await tx.query(
      `INSERT INTO campaign_run (${RUN_COLUMNS}) VALUES ${runs.map(() => `(${placeholders(8)})`).join(', ')}`,
      runs.flatMap((run) => [
        run.id,
        run.workspaceId,
        run.campaignId,
        run.seq,
        run.personId,
        run.activityId,
        run.triggeredAt,
        JSON.stringify(run.steps),
      ]),
    );
  }

  // ----------------------------------------- person merge (inside `tx`)

  /** Runs keep their sequence numbers, so cursors stay valid. */
  async moveRuns(tx: EntityManager, workspaceId: string, fromPersonId: string, toPersonId: string): Promise<void> {
    await tx.query('UPDATE campaign_run SET person_id = ? WHERE workspace_id = ? AND person_id = ?', [
      toPersonId,
      workspaceId,
      fromPersonId,
    ]);
  }

  async qualificationsOf(
    tx: EntityManager,
    workspaceId: string,
    personId: string,
  ): Promise<CampaignQualificationEntity[]> {
    return selectEntities(tx, CampaignQualificationEntity, 'q', 'WHERE q.workspace_id = ? AND q.person_id = ?', [
      workspaceId,
      personId,
    ]);
  }

  /**
   * Gives `toPersonId` this qualification row, or the later of the two last
   * runs if it has one, and removes the original. The target row is claimed
   * with insert-or-ignore (which waits for a concurrent insert of the same
   * key) and then moved forward only if this one is later, instead of
   * re-keying rows read earlier: race-safe against a run of the target
   * person committing meanwhile.
   */
  async mergeQualification(tx: EntityManager, from: CampaignQualificationEntity, toPersonId: string): Promise<void> {
    await this.claimQualification(tx, Object.assign(new CampaignQualificationEntity(), from, { personId: toPersonId }));
    await tx.query(
      'UPDATE campaign_qualification SET last_run_at = ?, run_id = ? WHERE campaign_id = ? AND person_id = ? AND last_run_at < ?',
      [from.lastRunAt, from.runId, from.campaignId, toPersonId, from.lastRunAt],
    );
    await tx.query('DELETE FROM campaign_qualification WHERE campaign_id = ? AND person_id = ?', [
      from.campaignId,
      from.personId,
    ]);
  }
}
