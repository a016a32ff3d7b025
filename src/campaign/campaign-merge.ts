import type { EntityManager } from 'typeorm';

/**
 * Part of merging an anonymous person into a known one (called by the person
 * merge inside its transaction): the runs move over, keeping their sequence
 * numbers (cursors stay valid). Qualification state is combined per campaign
 * so the merged person is not qualified again by the merge: ONCE stays
 * used if either had it, and ONCE_EVERY counts from the later of the two
 * last runs.
 */
export async function moveCampaignRuns(tx: EntityManager, workspaceId: string, fromPersonId: string, toPersonId: string): Promise<void> {
  if (fromPersonId === toPersonId) return;
  await tx.query('UPDATE campaign_run SET person_id = ? WHERE workspace_id = ? AND person_id = ?', [toPersonId, workspaceId, fromPersonId]);

  const from: Array<{ campaign_id: string; last_run_at: number | string; run_id: string }> = await tx.query(
    'SELECT campaign_id, last_run_at, run_id FROM campaign_qualification WHERE workspace_id = ? AND person_id = ?',
    [workspaceId, fromPersonId],
  );
  if (from.length === 0) return;
  const to: Array<{ campaign_id: string; last_run_at: number | string }> = await tx.query(
    'SELECT campaign_id, last_run_at FROM campaign_qualification WHERE workspace_id = ? AND person_id = ?',
    [workspaceId, toPersonId],
  );
  const toByCampaign = new Map(to.map((row) => [row.campaign_id, Number(row.last_run_at)]));
  for (const row of from) {
    const existing = toByCampaign.get(row.campaign_id);
    if (existing === undefined) {
      await tx.query('UPDATE campaign_qualification SET person_id = ? WHERE campaign_id = ? AND person_id = ?', [toPersonId, row.campaign_id, fromPersonId]);
      continue;
    }
    if (Number(row.last_run_at) > existing) {
      await tx.query('UPDATE campaign_qualification SET last_run_at = ?, run_id = ? WHERE campaign_id = ? AND person_id = ?', [
        Number(row.last_run_at),
        row.run_id,
        row.campaign_id,
        toPersonId,
      ]);
    }
    await tx.query('DELETE FROM campaign_qualification WHERE campaign_id = ? AND person_id = ?', [row.campaign_id, fromPersonId]);
  }
}
