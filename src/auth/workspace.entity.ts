import { Column, Entity } from 'typeorm';
import { IdColumn, TimestampColumn } from '../db/columns';

/** Values are stored; never rename them. */
export enum IdentityVerification {
  OFF = 'OFF',
  OPTIONAL = 'OPTIONAL',
  REQUIRED = 'REQUIRED',
}

@Entity('workspace')
export class WorkspaceEntity {
  @IdColumn()
  id: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt: Date;

  /** What an identification without a valid identity hash may do (see src/identity). */
  @Column({ name: 'identity_verification', type: 'varchar', length: 16, default: 'OPTIONAL' })
  identityVerification: IdentityVerification;

  /** The identity secret, sealed (src/shared/secret-box.ts); null until one is generated. */
  @Column({ name: 'identity_secret_enc', type: 'varchar', length: 1024, nullable: true })
  identitySecretEnc: string | null;

  @TimestampColumn({ name: 'identity_secret_rotated_at', nullable: true })
  identitySecretRotatedAt: Date | null;

  /** IANA time zone of the workspace's calendar (smart-list and campaign time frames). */
  @Column({ name: 'time_zone', type: 'varchar', length: 64, default: 'UTC' })
  timeZone: string;
}
