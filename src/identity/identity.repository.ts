import type { DataSource, Repository } from 'typeorm';
import { type IdentityVerification, WorkspaceEntity } from '../auth/workspace.entity';

export interface IdentitySettingsEntity {
  mode: IdentityVerification;
  secretEnc: string | null;
  secretRotatedAt: Date | null;
}

/** The identity verification columns of the workspace table. */
export class IdentityRepository {
  private readonly workspaces: Repository<WorkspaceEntity>;

  constructor(dataSource: DataSource) {
    this.workspaces = dataSource.getRepository(WorkspaceEntity);
  }

  async settings(workspaceId: string): Promise<IdentitySettingsEntity> {
    const row = await this.workspaces.findOneOrFail({
      where: { id: workspaceId },
      select: { id: true, identityVerification: true, identitySecretEnc: true, identitySecretRotatedAt: true },
    });
    return {
      mode: row.identityVerification,
      secretEnc: row.identitySecretEnc,
      secretRotatedAt: row.identitySecretRotatedAt,
    };
  }

  async setMode(workspaceId: string, mode: IdentityVerification): Promise<void> {
    await this.workspaces.update({ id: workspaceId }, { identityVerification: mode });
  }

  async setSecret(workspaceId: string, secretEnc: string, at: Date): Promise<void> {
    await this.workspaces.update({ id: workspaceId }, { identitySecretEnc: secretEnc, identitySecretRotatedAt: at });
  }
}
