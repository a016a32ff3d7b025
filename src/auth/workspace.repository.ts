import { inTransaction } from '../db/transaction';
import type { DataSource, Repository } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';
import { WorkspaceEntity } from './workspace.entity';

/** The SQL of workspaces, through TypeORM's repository API. */
export class WorkspaceRepository {
  private readonly workspaces: Repository<WorkspaceEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.workspaces = dataSource.getRepository(WorkspaceEntity);
  }

  async insert(workspace: WorkspaceEntity): Promise<void> {
    await this.workspaces.insert(workspace);
  }

  /** Oldest first. */
  async list(): Promise<WorkspaceEntity[]> {
    return this.workspaces.find({ order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async get(id: string): Promise<WorkspaceEntity> {
    return this.workspaces.findOneOrFail({ where: { id } });
  }

  /**
   * On an empty database only: the first workspace and its first key, in one
   * transaction. False (and nothing written) when a workspace exists.
   */
  async insertFirst(workspace: WorkspaceEntity, key: ApiKeyEntity): Promise<boolean> {
    return inTransaction(this.dataSource, async (manager) => {
      if ((await manager.count(WorkspaceEntity)) > 0) return false;
      await manager.insert(WorkspaceEntity, workspace);
      await manager.insert(ApiKeyEntity, key);
      return true;
    });
  }
}
