import type { EntityManager } from 'typeorm';
import { isMysql } from '../db/sql';

/**
 * Part of merging an anonymous person into a known one (called by the person
 * merge inside its transaction): the runs move over, keeping their sequence
 * numbers (cursors stay valid). Qualification state is combined per campaign
 * so the merged person is not qualified again by the merge: ONCE stays used
 * if either had it, and ONCE_EVERY counts from the later of the two last runs.
 *
 * Race-safe against a run of the known person committing meanwhile: the
 * known person's row is claimed with INSERT-or-ignore (which waits for a
 * concurrent insert of the same key) and then moved forward only if the
 * anonymous one is later, instead of re-keying rows read earlier.
 */
export async function moveCampaignRuns(
  tx: EntityManager,
  workspaceId: string,
  fromPersonId: string,
  toPersonId: string,
): Promise<void> {
  if (fromPersonId === toPersonId) return;
  await tx.query('UPDATE campaign_run SET person_id = ? WHERE workspace_id = ? AND person_id = ?', [
    toPersonId,
    workspaceId,
    fromPersonId,
  ]);

  const from: Array<{ campaign_id: string; last_run_at: number | string; run_id: string }> = await tx.query(
    'SELECT campaign_id, last_run_at, run_id FROM campaign_qualification WHERE workspace_id = ? AND person_id = ?',
    [workspaceId, fromPersonId],
  );
  const insertIgnore = isMysql(tx) ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
  for (const row of from) {
    const lastRunAt = Number(row.last_run_at);
    await tx.query(
      `${insertIgnore} INTO campaign_qualification (campaign_id, person_id, workspace_id, last_run_at, run_id) VALUES (?, ?, ?, ?, ?)`,
      [row.campaign_id, toPersonId, workspaceId, lastRunAt, row.run_id],
    );
    await tx.query(
      'UPDATE campaign_qualification SET last_run_at = ?, run_id = ? WHERE campaign_id = ? AND person_id = ? AND last_run_at < ?',
      [lastRunAt, row.run_id, row.campaign_id, toPersonId, lastRunAt],
    );
    await tx.query('DELETE FROM campaign_qualification WHERE campaign_id = ? AND person_id = ?', [
      row.campaign_id,
      fromPersonId,
    ]);
  }
}
