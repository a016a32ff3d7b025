import { TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const OLD = new TableIndex({ name: 'idx_campaign_run_person', columnNames: ['person_id'] });

/**
 * wasInCampaign filters probe one person's runs of one campaign, often
 * within a date of activity: (person_id, campaign_id, triggered_at) answers
 * that from the index, where (person_id) alone read every run of the person.
 * Same prefix, so person merges (which move a person's runs) still use it.
 * Built before the old one is dropped: no window without either.
 */
export const CAMPAIGN_RUN_PERSON_INDEX = new TableIndex({
  name: 'idx_campaign_run_person_campaign',
  columnNames: ['person_id', 'campaign_id', 'triggered_at'],
});

export class CampaignRunPersonIndex1764000000610 implements MigrationInterface {
  name = 'CampaignRunPersonIndex1764000000610';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('campaign_run', CAMPAIGN_RUN_PERSON_INDEX);
    await queryRunner.dropIndex('campaign_run', OLD);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('campaign_run', OLD);
    await queryRunner.dropIndex('campaign_run', CAMPAIGN_RUN_PERSON_INDEX);
  }
}
