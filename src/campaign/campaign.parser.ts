import type { ChatActivityType } from '../activity/activity.entity';
import { parseNameAndDescription } from '../shared/definition-fields';
import { outboundUrlProblem, type OutboundPolicy } from '../shared/outbound';
import { MAX_URL, validEndpointUrl } from '../shared/url';
import type { ConstraintsDef } from '../smart-list/filter.model';
import { parseConstraints, parseDuration, parseFilterSet } from '../smart-list/filter.parser';
import { campaignInputError, CampaignErrorReason } from './campaign.errors';
import type { CampaignInput, CampaignTriggerInput, FlowStepInput, QualificationInput } from './campaign.input';
import {
  type CampaignDef,
  FlowAction,
  type FlowStepDef,
  MAX_DESCRIPTION,
  MAX_FLOW_STEPS,
  MAX_SCORE_DELTA,
  MAX_STEP_CONDITIONS,
  MAX_TRIGGERS,
  type QualificationDef,
  QualificationKind,
  type TriggerDef,
} from './campaign.model';

/*
 * The input classes (a type-only import: nothing of GraphQL runs here) are
 * what GraphQL has already checked for shape and enum values; this checks
 * what depends on several fields at once and names the offending one.
 * Constraints, filters and durations go through the smart-list parsers, so
 * they mean the same in campaigns as in smart lists.
 */

type Path = string[];

const fail = (message: string, field: Path, reason: CampaignErrorReason) =>
  campaignInputError(message, ['input', ...field], reason);

/** The field a flow action needs; the other two must be absent. */
const ACTION_FIELD: Record<FlowAction, keyof FlowStepInput & ('scoreDelta' | 'description' | 'webhookUrl')> = {
  [FlowAction.CHANGE_SCORE]: 'scoreDelta',
  [FlowAction.INTERESTING_MOMENT]: 'description',
  [FlowAction.WEBHOOK]: 'webhookUrl',
};
const STEP_FIELDS = ['scoreDelta', 'description', 'webhookUrl'] as const;

export interface ParsedCampaign {
  name: string;
  description: string | null;
  definition: CampaignDef;
}

/** Parses and checks a campaign input; throws BAD_USER_INPUT naming the field. */
export function parseCampaignInput(input: CampaignInput, outbound: OutboundPolicy): ParsedCampaign {
  const { name, description } = parseNameAndDescription(input);
  const triggers = parseTriggers(input.triggers);
  const filterSet = parseFilterSet(
    { logic: input.filterLogic, advancedLogic: input.advancedLogic, filters: input.filters },
    ['input'],
    { names: { logic: 'filterLogic', advancedLogic: 'advancedLogic', filters: 'filters' }, minFilters: 0 },
  );
  const qualification = parseQualification(input.qualification);
  const flow = parseFlow(
    input.flow,
    triggers.map((t) => t.activity),
    outbound,
  );
  return {
    name,
    description,
    definition: {
      triggers,
      filterLogic: filterSet.logic,
      advancedLogic: filterSet.advancedLogic,
      filters: filterSet.filters,
      qualification,
      flow,
    },
  };
}

function parseTriggers(input: CampaignTriggerInput[] | undefined): TriggerDef[] {
  const triggers = Array.isArray(input) ? input : [];
  if (triggers.length < 1 || triggers.length > MAX_TRIGGERS)
    throw fail(`needs 1 to ${MAX_TRIGGERS} triggers`, ['triggers'], CampaignErrorReason.TRIGGERS_COUNT);
  return triggers.map((trigger, i) => ({
    activity: trigger.activity,
    constraints: parseConstraints(
      trigger.constraints,
      ['input', 'triggers', String(i), 'constraints'],
      trigger.activity,
    ),
  }));
}

function parseQualification(input: QualificationInput | null | undefined): QualificationDef {
  const kind = input?.kind ?? QualificationKind.EACH_TIME;
  const interval = input?.interval ?? null;
  const at: Path = ['qualification', 'interval'];
  if (kind === QualificationKind.ONCE_EVERY && interval === null)
    throw fail('ONCE_EVERY needs an interval', at, CampaignErrorReason.INTERVAL_REQUIRED);
  if (kind !== QualificationKind.ONCE_EVERY && interval !== null)
    throw fail(`${kind} takes no interval`, at, CampaignErrorReason.INTERVAL_NOT_ALLOWED);
  return { kind, interval: interval === null ? null : parseDuration(interval, ['input', ...at]) };
}

function parseFlow(
  input: FlowStepInput[] | null | undefined,
  triggerTypes: ChatActivityType[],
  outbound: OutboundPolicy,
): FlowStepDef[] {
  const steps = Array.isArray(input) ? input : [];
  if (steps.length > MAX_FLOW_STEPS)
    throw fail(`at most ${MAX_FLOW_STEPS} steps`, ['flow'], CampaignErrorReason.FLOW_TOO_LONG);
  return steps.map((step, i) => parseStep(step, ['flow', String(i)], triggerTypes, outbound));
}

function parseStep(
  step: FlowStepInput,
  path: Path,
  triggerTypes: ChatActivityType[],
  outbound: OutboundPolicy,
): FlowStepDef {
  const at = (field: string): Path => [...path, field];
  const { action } = step;
  for (const field of STEP_FIELDS) {
    const given = step[field] !== undefined && step[field] !== null;
    if (field === ACTION_FIELD[action] && !given)
      throw fail(`${action} needs ${field}`, at(field), CampaignErrorReason.FIELD_REQUIRED);
    if (field !== ACTION_FIELD[action] && given)
      throw fail(`${field} is not used by ${action}`, at(field), CampaignErrorReason.FIELD_NOT_ALLOWED);
  }
  const { scoreDelta, description, webhookUrl } = step;
  if (
    action === FlowAction.CHANGE_SCORE &&
    (!Number.isInteger(scoreDelta) || scoreDelta === 0 || Math.abs(scoreDelta!) > MAX_SCORE_DELTA)
  ) {
    throw fail(
      `scoreDelta must be a non-zero integer from -${MAX_SCORE_DELTA} to ${MAX_SCORE_DELTA}`,
      at('scoreDelta'),
      CampaignErrorReason.SCORE_DELTA_INVALID,
    );
  }
  if (
    action === FlowAction.INTERESTING_MOMENT &&
    (typeof description !== 'string' || description.trim() === '' || description.length > MAX_DESCRIPTION)
  ) {
    throw fail(
      `description must be 1 to ${MAX_DESCRIPTION} characters`,
      at('description'),
      CampaignErrorReason.FIELD_REQUIRED,
    );
  }
  // The outbox's own rule: a URL it would refuse at enqueue time would fail every recording that triggers the step.
  if (action === FlowAction.WEBHOOK && (typeof webhookUrl !== 'string' || !validEndpointUrl(webhookUrl))) {
    throw fail(
      `webhookUrl must be an http(s) URL without credentials, of at most ${MAX_URL} characters`,
      at('webhookUrl'),
      CampaignErrorReason.WEBHOOK_URL_INVALID,
    );
  }
  const refused = action === FlowAction.WEBHOOK ? outboundUrlProblem(webhookUrl!, outbound) : null;
  if (refused) {
    throw fail(
      `webhookUrl ${refused}: the server only posts to public addresses`,
      at('webhookUrl'),
      CampaignErrorReason.WEBHOOK_URL_NOT_ALLOWED,
    );
  }
  const conditions = Array.isArray(step.conditions) ? step.conditions : [];
  if (conditions.length > MAX_STEP_CONDITIONS)
    throw fail(`at most ${MAX_STEP_CONDITIONS} conditions`, at('conditions'), CampaignErrorReason.TOO_MANY_CONDITIONS);
  return {
    action,
    conditions: conditions.map((condition, j) =>
      parseCondition(condition, ['input', ...path, 'conditions', String(j)], triggerTypes),
    ),
    scoreDelta: action === FlowAction.CHANGE_SCORE ? scoreDelta! : null,
    description: action === FlowAction.INTERESTING_MOMENT ? description! : null,
    webhookUrl: action === FlowAction.WEBHOOK ? webhookUrl! : null,
  };
}

/** A condition looks at the triggering activity: it must be able to hold for at least one trigger's type. */
function parseCondition(condition: unknown, path: Path, triggerTypes: ChatActivityType[]): ConstraintsDef {
  const errors: unknown[] = [];
  for (const type of triggerTypes) {
    try {
      return parseConstraints(condition, path, type);
    } catch (err) {
      errors.push(err);
    }
  }
  throw errors[0];
}
