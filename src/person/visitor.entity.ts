import { Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { WorkspaceEntity } from '../auth/workspace.entity';
import { PersonEntity } from './person.entity';
import { ForeignIdColumn, TimestampColumn } from '../db/columns';

/** A browser (cookie) id and the person it belongs to now. A person can have many. */
@Entity('visitor')
@Index('idx_visitor_person', ['personId'])
export class VisitorEntity {
  @ForeignKey(() => WorkspaceEntity, { name: 'fk_visitor_workspace', onDelete: 'CASCADE' })
  @PrimaryColumn({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId: string;

  @PrimaryColumn({ name: 'visitor_id', type: 'varchar', length: 128 })
  visitorId: string;

  @ForeignKey(() => PersonEntity, { name: 'fk_visitor_person' })
  @ForeignIdColumn({ name: 'person_id' })
  personId: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt: Date;

  /** Bumped when the visitor moves to another person (identify, merge). */
  @TimestampColumn({ name: 'updated_at' })
  updatedAt: Date;
}
