import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { WorkspaceEntity } from '../auth/workspace.entity';
import { ForeignIdColumn, IdColumn, JsonColumn, TimestampColumn } from '../db/columns';
import type { FilterSetDef } from './filter.model';
import { restoreFilterSet, type StoredFilterSetDef } from './filter.parser';

/**
 * A smart list: only its definition is stored. Membership is computed from
 * the activities whenever it is asked for, so it can never go stale.
 */
@Entity('smart_list')
@Index('uq_smart_list_name', ['workspaceId', 'nameKey'], { unique: true })
@Index('idx_smart_list_workspace', ['workspaceId', 'id'])
export class SmartListEntity {
  @IdColumn()
  id: string;

  @ForeignKey(() => WorkspaceEntity, { name: 'fk_smart_list_workspace', onDelete: 'CASCADE' })
  @ForeignIdColumn({ name: 'workspace_id' })
  workspaceId: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  /** Lower-cased name: uniqueness is case-insensitive on both databases through this column. */
  @Column({ name: 'name_key', type: 'varchar', length: 255 })
  nameKey: string;

  @Column({ type: 'varchar', length: 1024, nullable: true })
  description: string | null;

  /** Stored parsed (logic, advancedLogic, filters); the logic expression is derived again on read. */
  @JsonColumn<FilterSetDef>({
    parse: (raw) => restoreFilterSet(raw as StoredFilterSetDef),
    serialize: ({ logic, advancedLogic, filters }): StoredFilterSetDef => ({ logic, advancedLogic, filters }),
  })
  definition: FilterSetDef;

  @TimestampColumn({ name: 'created_at' })
  createdAt: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt: Date;
}
