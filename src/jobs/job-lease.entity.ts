import { Column, Entity, PrimaryColumn } from 'typeorm';
import { EpochMsColumn } from '../db/columns';

/**
 * A periodic job's lease: the instance named `owner` runs the job until
 * `leaseUntil` (epoch ms); another may take it once it expires.
 */
@Entity('job_lease')
export class JobLeaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'varchar', length: 64 })
  owner: string;

  @EpochMsColumn({ name: 'lease_until' })
  leaseUntil: number;
}
