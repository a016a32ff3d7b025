import { Entity, PrimaryColumn } from 'typeorm';
import { SequenceColumn } from '../db/columns';

/**
 * The last activity stream position of each workspace. Its row lock, held
 * from the moment a recording transaction takes the next positions until it
 * commits, is what makes positions commit in order and without holes.
 */
@Entity('activity_stream_head')
export class ActivityStreamHeadEntity {
  @PrimaryColumn({ name: 'workspace_id', type: 'varchar', length: 36 })
  workspaceId: string;

  @SequenceColumn({ name: 'seq' })
  seq: number;
}
