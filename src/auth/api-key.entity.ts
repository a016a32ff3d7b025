import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { ForeignIdColumn, IdColumn, JsonColumn, TimestampColumn } from '../db/columns';
import { Scope } from './scope';
import { WorkspaceEntity } from './workspace.entity';

const scopeList = {
  to: (scopes: Scope[]) => scopes.join(','),
  from: (raw: string) => (raw ? (raw.split(',') as Scope[]) : []),
};

@Entity('api_key')
@Index('idx_api_key_workspace', ['workspaceId', 'createdAt'])
export class ApiKeyEntity {
  @IdColumn()
  id: string;

  @ForeignKey(() => WorkspaceEntity, { name: 'fk_api_key_workspace', onDelete: 'CASCADE' })
  @ForeignIdColumn({ name: 'workspace_id' })
  workspaceId: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ type: 'varchar', length: 64, transformer: scopeList })
  scopes: Scope[];

  /** SHA-256 of the secret; the secret itself is never stored. */
  @Index('uq_api_key_secret_hash', { unique: true })
  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash: string;

  @TimestampColumn({ name: 'created_at' })
  createdAt: Date;

  @TimestampColumn({ name: 'last_used_at', nullable: true })
  lastUsedAt: Date | null;

  @TimestampColumn({ name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  /** Browser origins the key may be used from (`https://shop.example.com`); null: any. Requests without an Origin are not limited. */
  @JsonColumn<string[]>({ name: 'allowed_origins', nullable: true })
  allowedOrigins: string[] | null;
}
