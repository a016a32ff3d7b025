import { In, type DataSource, type Repository } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';

/** The SQL of API keys, through TypeORM's repository API. */
export class ApiKeyRepository {
  private readonly keys: Repository<ApiKeyEntity>;

  constructor(dataSource: DataSource) {
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

  async markRevoked(id: string, at: Date): Promise<void> {
    await this.keys.update({ id }, { revokedAt: at });
  }
}
