import type { ChatActivityType } from '../activity/activity.entity';
import type { ConstraintsDef, DurationDef, FilterDef, FilterLogic } from '../smart-list/filter.model';

/** Values are stored (definitions, step results); never rename them. */
export enum QualificationKind {
  EACH_TIME = 'EACH_TIME',
  ONCE = 'ONCE',
  ONCE_EVERY = 'ONCE_EVERY',
}

export enum FlowAction {
  CHANGE_SCORE = 'CHANGE_SCORE',
  INTERESTING_MOMENT = 'INTERESTING_MOMENT',
  WEBHOOK = 'WEBHOOK',
}

export enum StepOutcome {
  DONE = 'DONE',
  SKIPPED = 'SKIPPED',
  QUEUED = 'QUEUED',
  FAILED = 'FAILED',
}

export const MAX_TRIGGERS = 10;
export const MAX_FILTERS = 25;
export const MAX_FLOW_STEPS = 25;
export const MAX_STEP_CONDITIONS = 10;
export const MAX_SCORE_DELTA = 1_000_000;
/** An INTERESTING_MOMENT step's description: as long as a definition's. */
export { MAX_DESCRIPTION_LENGTH as MAX_DESCRIPTION } from '../shared/definition-fields';

/**
 * A campaign definition as stored (JSON in campaign.definition): already
 * parsed by the smart-list parsers (constraints, filters, durations), so the
 * write path only restores it.
 */
export interface StoredDefinition {
  triggers: Array<{ activity: ChatActivityType; constraints: ConstraintsDef }>;
  filterLogic: FilterLogic;
  advancedLogic: string | null;
  filters: FilterDef[];
  qualification: { kind: QualificationKind; interval: DurationDef | null };
  flow: Array<{
    action: FlowAction;
    conditions: ConstraintsDef[];
    scoreDelta: number | null;
    description: string | null;
    webhookUrl: string | null;
  }>;
}

/** A campaign row; plain JSON (times in epoch ms) so it can ride in a pubsub payload. */
export interface CampaignRow {
  id: string;
  workspaceId: string;
  name: string;
  description: string | null;
  active: boolean;
  definition: StoredDefinition;
  createdAt: number;
  updatedAt: number;
}

export interface StepResult {
  position: number;
  action: FlowAction;
  outcome: StepOutcome;
}

export interface RunRow {
  id: string;
  workspaceId: string;
  campaignId: string;
  seq: number;
  personId: string;
  activityId: string;
  triggeredAt: number;
  steps: StepResult[];
}

export const CAMPAIGN_COLUMNS = 'id, workspace_id, name, description, active, definition, created_at, updated_at';
export const RUN_COLUMNS = 'id, workspace_id, campaign_id, seq, person_id, activity_id, triggered_at, steps';

// mysql2 hands BIGINT back as strings; both drivers' rows go through these.
export function toCampaignRow(r: Record<string, any>): CampaignRow {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    description: r.description ?? null,
    active: Number(r.active) === 1,
    definition: JSON.parse(r.definition),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function toRunRow(r: Record<string, any>): RunRow {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    campaignId: r.campaign_id,
    seq: Number(r.seq),
    personId: r.person_id,
    activityId: r.activity_id,
    triggeredAt: Number(r.triggered_at),
    steps: JSON.parse(r.steps),
  };
}
