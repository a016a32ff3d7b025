import type { ActivityEntity } from '../activity/activity.entity';
import { PersonEntity } from '../person/person.entity';
import { encodeCursor } from '../shared/cursor';
import type { CampaignRow, RunRow } from './campaign.model';

/** A person as JSON (times in epoch ms). */
export interface PersonJson {
  id: string;
  workspaceId: string;
  email: string | null;
  emailNormalized: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  score: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * One run as published to CAMPAIGN_TRIGGERED:<campaignId>: everything a
 * listener needs to answer its client without touching the database. It
 * crosses Redis as JSON, so the activity's dates arrive there as ISO strings
 * (toActivity reads both), as for activityRecorded.
 */
export interface RunPayload {
  run: RunRow;
  campaign: CampaignRow;
  person: PersonJson;
  activity: ActivityEntity;
}

/** A control message on a campaign topic: a subscriber waits to see its own before replaying (the live channel is then open). */
export interface SyncPayload {
  sync: string;
}

export const isRunPayload = (value: unknown): value is RunPayload =>
  !!value &&
  typeof value === 'object' &&
  'run' in value &&
  !!(value as RunPayload).run &&
  typeof (value as RunPayload).run.seq === 'number';

export function personJson(p: PersonEntity): PersonJson {
  return {
    id: p.id,
    workspaceId: p.workspaceId,
    email: p.email,
    emailNormalized: p.emailNormalized,
    firstName: p.firstName,
    lastName: p.lastName,
    company: p.company,
    score: Number(p.score),
    createdAt: new Date(p.createdAt).getTime(),
    updatedAt: new Date(p.updatedAt).getTime(),
  };
}

export function personFromJson(p: PersonJson): PersonEntity {
  return Object.assign(new PersonEntity(), p, { createdAt: new Date(p.createdAt), updatedAt: new Date(p.updatedAt) });
}

export const runCursor = (seq: number): string => encodeCursor([seq]);
