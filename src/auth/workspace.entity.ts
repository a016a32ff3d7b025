import { Column, Entity } from 'typeorm';
import { IdColumn, TimestampColumn } from '../db/columns';

@Entity('workspace')
export class WorkspaceEntity {
  @IdColumn()
  id: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt: Date;
}
