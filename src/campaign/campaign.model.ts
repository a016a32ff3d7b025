import type { ChatActivityType } from '../activity/activity.entity';
import type { ConstraintsDef, DurationDef, FilterLogic } from '../smart-list/filter.model';
import type { AnyFilterDef } from '../smart-list/person-filter.model';

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
export const MAX_FLOW_STEPS = 25;
export const MAX_STEP_CONDITIONS = 10;
export const MAX_SCORE_DELTA = 1_000_000;
/** An INTERESTING_MOMENT step's description: as long as a definition's. */
export { MAX_DESCRIPTION_LENGTH as MAX_DESCRIPTION } from '../shared/definition-fields';

export interface TriggerDef {
  activity: ChatActivityType;
  constraints: ConstraintsDef;
}

export interface QualificationDef {
  kind: QualificationKind;
  interval: DurationDef | null;
}

export interface FlowStepDef {
  action: FlowAction;
  conditions: ConstraintsDef[];
  scoreDelta: number | null;
  description: string | null;
  webhookUrl: string | null;
}

/**
 * A campaign definition as parsed and stored (JSON in campaign.definition):
 * the smart-list parsers already checked constraints, filters and durations,
 * so the write path only restores it.
 */
export interface CampaignDef {
  triggers: TriggerDef[];
  filterLogic: FilterLogic;
  advancedLogic: string | null;
  filters: AnyFilterDef[];
  qualification: QualificationDef;
  flow: FlowStepDef[];
}

/** One flow step's outcome in a run (stored in campaign_run.steps). */
export interface StepResult {
  position: number;
  action: FlowAction;
  outcome: StepOutcome;
}
