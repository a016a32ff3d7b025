import { inTransaction } from '../db/transaction';
import { In, IsNull, type DataSource, type Repository } from 'typeorm';
import { isMysql } from '../db/sql';
import { Scope } from './scope';
import { ApiKeyEntity } from './api-key.entity';

/** The SQL of API keys, through TypeORM's repository API. */
export class ApiKeyRepository {
  private readonly keys: Repository<ApiKeyEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.keys = dataSource.getRepository(ApiKeyEntity);
  }

  async insert(key: ApiKeyEntity): Promise<void> {
    await this.keys.insert(key);
  }

  async bySecretHash(secretHash: string): Promise<ApiKeyEntity | null> {
    return this.keys.findOne({ where: { secretHash } });
  }

  async get(workspaceId: string, id: string): Promise<ApiKeyEntity | null> {
    return this.keys.findOne({ where: { workspaceId, id } });
  }

  /** In whichever workspace it is (operator tooling). */
  async byId(id: string): Promise<ApiKeyEntity | null> {
    return this.keys.findOne({ where: { id } });
  }

  async getMany(workspaceId: string, ids: readonly string[]): Promise<ApiKeyEntity[]> {
    return ids.length === 0 ? [] : this.keys.find({ where: { workspaceId, id: In([...new Set(ids)]) } });
  }

  /** Oldest first. */
  async list(workspaceId: string): Promise<ApiKeyEntity[]> {
    return this.keys.find({ where: { workspaceId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async markUsed(id: string, at: Date): Promise<void> {
    await this.keys.update({ id }, { lastUsedAt: at });
  }

  async setAllowedOrigins(id: string, allowedOrigins: string[] | null): Promise<void> {
    await this.keys.update({ id }, { allowedOrigins });
  }

  /**
   * Revokes the key unless it is the workspace's last active key holding
   * MANAGE. The workspace's active keys are locked first (MySQL; SQLite runs
   * one write transaction at a time), so two revokes of the last two
   * managers cannot both see the other still active.
   */
  async revokeUnlessLastManager(
    workspaceId: string,
    id: string,
    at: Date,
  ): Promise<ApiKeyEntity | 'not-found' | 'last-manager'> {
    return inTransaction(this.dataSource, async (tx) => {
      const keys = tx.getRepository(ApiKeyEntity);
      const key = await keys.findOne({ where: { workspaceId, id } });
      if (!key) return 'not-found';
      if (key.revokedAt) return key;
      const active = await keys.find({
        where: { workspaceId, revokedAt: IsNull() },
        ...(isMysql(tx) ? { lock: { mode: 'pessimistic_write' as const } } : {}),
      });
      // Revoked meanwhile by a concurrent call: nothing more to do.
      if (!active.some((k) => k.id === key.id)) return (await keys.findOne({ where: { workspaceId, id } })) ?? key;
      const otherManagers = active.filter((k) => k.id !== key.id && k.scopes.includes(Scope.MANAGE));
      if (key.scopes.includes(Scope.MANAGE) && otherManagers.length === 0) return 'last-manager';
      key.revokedAt = at;
      await keys.update({ id: key.id }, { revokedAt: at });
      return key;
    });
  }
}
