import type { DataSource } from 'typeorm';
import { ApiKeyEntity } from '../auth/api-key.entity';
import { WorkspaceEntity } from '../auth/workspace.entity';
import { ActivityEntity } from '../activity/activity.entity';
import { ActivityStreamHeadEntity } from '../activity/activity-stream-head.entity';
import { CatalogEntryEntity } from '../catalog/catalog.entity';
import { CampaignQualificationEntity } from '../campaign/campaign-qualification.entity';
import { CampaignRunEntity } from '../campaign/campaign-run.entity';
import { CampaignTriggerEntity } from '../campaign/campaign-trigger.entity';
import { CampaignEntity } from '../campaign/campaign.entity';
import { DeliveryEntity } from '../delivery/delivery.entity';
import { JobLeaseEntity } from '../jobs/job-lease.entity';
import { SalesInsightSettingsEntity } from '../delivery/sales-insight-settings.entity';
import { PersonEntity } from '../person/person.entity';
import { VisitorEntity } from '../person/visitor.entity';
import { SmartListEntity } from '../smart-list/smart-list.entity';
import { ConversationUpdateEntity } from '../conversation/conversation-update.entity';
import { isMysql } from './sql';

/** Entity classes, listed explicitly (globs differ between ts-jest and compiled output): one per table. */
export const ENTITIES: Array<new () => object> = [
  WorkspaceEntity,
  ApiKeyEntity,
  PersonEntity,
  VisitorEntity,
  ActivityEntity,
  ActivityStreamHeadEntity,
  CatalogEntryEntity,
  SmartListEntity,
  CampaignEntity,
  CampaignTriggerEntity,
  CampaignRunEntity,
  CampaignQualificationEntity,
  SalesInsightSettingsEntity,
  DeliveryEntity,
  JobLeaseEntity,
  ConversationUpdateEntity,
];

/**
 * TypeORM gives a column one type and a foreign key one rule for every
 * driver, and the migrations differ between the databases in two ways an
 * entity cannot say once for both (typeorm#12874):
 *
 * - JSON documents are TEXT on SQLite and MEDIUMTEXT on MySQL, where TEXT's
 *   64 KB can be too little (migrations 1764000000002 to 4);
 * - a foreign key rule the migration leaves out reads back as NO ACTION on
 *   SQLite and RESTRICT on MySQL (InnoDB treats the two alike).
 *
 * Entities declare the SQLite form; this turns a DataSource's metadata into
 * its database's, for TypeORM's schema comparison (test/schema.spec.ts) and
 * generation. Rows are read and written the same either way: only the
 * schema tools look at these fields.
 */
export function alignEntityMetadata(dataSource: DataSource): void {
  if (!isMysql(dataSource)) return;
  for (const metadata of dataSource.entityMetadatas) {
    for (const column of metadata.columns) if (column.type === 'text') column.type = 'mediumtext';
    for (const foreignKey of metadata.foreignKeys) {
      if (foreignKey.onDelete === 'NO ACTION') foreignKey.onDelete = 'RESTRICT';
      if (foreignKey.onUpdate === 'NO ACTION') foreignKey.onUpdate = 'RESTRICT';
    }
  }
}
