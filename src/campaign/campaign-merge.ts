import type { EntityManager } from 'typeorm';
import { CampaignRepository } from './campaign.repository';

/**
 * Part of merging an anonymous person into a known one (called by the person
 * merge inside its transaction): the runs move over, keeping their sequence
 * numbers (cursors stay valid). Qualification state is combined per campaign
 * so the merged person is not qualified again by the merge: ONCE stays used
 * if either had it, and ONCE_EVERY counts from the later of the two last runs.
 */
export async function moveCampaignRuns(
  tx: EntityManager,
  workspaceId: string,
  fromPersonId: string,
  toPersonId: string,
): Promise<void> {
  if (fromPersonId === toPersonId) return;
  const campaigns = new CampaignRepository(tx.dataSource);
  await campaigns.moveRuns(tx, workspaceId, fromPersonId, toPersonId);
  for (const qualification of await campaigns.qualificationsOf(tx, workspaceId, fromPersonId))
    await campaigns.mergeQualification(tx, qualification, toPersonId);
}
