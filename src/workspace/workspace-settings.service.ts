import type { DataSource } from 'typeorm';
import { WorkspaceEntity } from '../auth/workspace.entity';
import { canonicalTimeZone, DEFAULT_TIME_ZONE } from '../shared/time-zone';
import { timeZoneInvalid } from './workspace-settings.errors';

/** How long an instance trusts its copy of a workspace's time zone (another instance's change shows within it). */
const TIME_ZONE_TTL_MS = 5_000;

export interface WorkspaceSettingsInput {
  /** An IANA name; omitted or null keeps the stored one. */
  timeZone?: string | null;
}

/**
 * Workspace-wide settings: the time zone that calendar time frames
 * (inTimeFrame) are computed in. Read on the evaluation path only by
 * definitions that use a time frame, through a short cache.
 */
export class WorkspaceSettingsService {
  private readonly cache = new Map<string, { timeZone: string; expiresAt: number }>();

  constructor(private readonly dataSource: DataSource) {}

  async timeZone(workspaceId: string): Promise<string> {
    const hit = this.cache.get(workspaceId);
    if (hit && hit.expiresAt > Date.now()) return hit.timeZone;
    const row = await this.dataSource
      .getRepository(WorkspaceEntity)
      .findOne({ where: { id: workspaceId }, select: { id: true, timeZone: true } });
    // A name stored before a tz database update dropped it: UTC rather than a failing list.
    const timeZone = (row && canonicalTimeZone(row.timeZone)) ?? DEFAULT_TIME_ZONE;
    this.cache.set(workspaceId, { timeZone, expiresAt: Date.now() + TIME_ZONE_TTL_MS });
    return timeZone;
  }

  /** Stores the canonical name (as Intl resolves it); an invalid one is BAD_USER_INPUT and changes nothing. */
  async update(workspaceId: string, input: WorkspaceSettingsInput): Promise<WorkspaceEntity> {
    const repository = this.dataSource.getRepository(WorkspaceEntity);
    if (input.timeZone != null) {
      const timeZone = canonicalTimeZone(input.timeZone);
      if (timeZone === null) throw timeZoneInvalid();
      await repository.update({ id: workspaceId }, { timeZone });
      this.cache.delete(workspaceId);
    }
    return repository.findOneOrFail({ where: { id: workspaceId } });
  }
}
