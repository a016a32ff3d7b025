import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { WorkspaceEntity } from '../auth/workspace.entity';
import { ForeignIdColumn, IdColumn, TimestampColumn } from '../db/columns';

/** A person: anonymous (email null) until a visitor is identified. */
@Entity('person')
@Index('uq_person_email', ['workspaceId', 'emailNormalized'], { unique: true })
@Index('idx_person_workspace', ['workspaceId', 'id'])
export class PersonEntity {
  @IdColumn()
  id: string;

  @ForeignKey(() => WorkspaceEntity, { name: 'fk_person_workspace', onDelete: 'CASCADE' })
  @ForeignIdColumn({ name: 'workspace_id' })
  workspaceId: string;

  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  /** Lower-cased email: equality is case-insensitive on both databases through this column. */
  @Column({ name: 'email_normalized', type: 'varchar', length: 320, nullable: true })
  emailNormalized: string | null;

  @Column({ name: 'first_name', type: 'varchar', length: 255, nullable: true })
  firstName: string | null;

  @Column({ name: 'last_name', type: 'varchar', length: 255, nullable: true })
  lastName: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  company: string | null;

  @Column({ type: 'int', default: 0 })
  score: number;

  @TimestampColumn({ name: 'created_at' })
  createdAt: Date;

  @TimestampColumn({ name: 'updated_at' })
  updatedAt: Date;
}
