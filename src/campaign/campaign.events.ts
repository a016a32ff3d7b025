import type { ActivityEntity } from '../activity/activity.entity';
import type { SyncMarker } from '../shared/replay-stream';
import { PersonEntity } from '../person/person.entity';
import type { CampaignRunEntity } from './campaign-run.entity';
import type { CampaignEntity } from './campaign.entity';

/** Each campaign run, on its campaign's channel, after commit; and the run streams' own sync markers. */
export const CAMPAIGN_TRIGGERED = 'CAMPAIGN_TRIGGERED';

/** A person as an event carries it: JSON, times in epoch ms. */
export interface PersonEvent {
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
 * One run as published: everything a listener needs to answer its client
 * without touching the database. It crosses Redis as JSON, so the activity's
 * dates arrive there as ISO strings (toActivity reads both), as for
 * activityRecorded; the campaign, the run and the person are plain JSON.
 */
export interface CampaignRunEvent {
  kind: 'run';
  /** The run's sequence number in its campaign (run.seq): the stream's position. */
  seq: number;
  run: CampaignRunEntity;
  campaign: CampaignEntity;
  person: PersonEvent;
  activity: ActivityEntity;
}

export type CampaignTriggeredEvent = CampaignRunEvent | SyncMarker;

export type CampaignTopics = {
  [CAMPAIGN_TRIGGERED]: [campaignId: string, event: CampaignTriggeredEvent];
};

export function personEvent(p: PersonEntity): PersonEvent {
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

export function personFromEvent(p: PersonEvent): PersonEntity {
  return Object.assign(new PersonEntity(), p, { createdAt: new Date(p.createdAt), updatedAt: new Date(p.updatedAt) });
}
