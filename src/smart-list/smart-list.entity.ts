import { Column, Entity, Index } from 'typeorm';
import { ForeignIdColumn, IdColumn, TimestampColumn } from '../db/columns';

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

  @ForeignIdColumn({ name: 'workspace_id' })
  workspaceId: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  /** Lower-cased name: uniqueness is case-insensitive on both databases through this column. */
  @Column({ name: 'name_key', type: 'varchar', length: 255 })
  nameKey: string;

  @Column({ type: 'varchar', length: 1024, nullable: true })
  description: string | null;

  /** JSON of StoredFilterSet (logic, advancedLogic, parsed filters). */
  @Column({ type: 'text' })
  definition: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt: Date;
}
