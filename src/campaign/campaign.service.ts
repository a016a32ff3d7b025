import { In, type DataSource, type EntityManager } from 'typeorm';
import type { ActivityRecordedHook, AfterCommit, RecordedActivities } from '../activity/activity-hooks';
import type { ActivityEntity } from '../activity/activity.entity';
import { ChatActivityType } from '../activity/activity.entity';
import { newId } from '../db/columns';
import { DeliveryKind } from '../delivery/delivery.model';
import { activityPayload } from '../delivery/delivery.payload';
import { MAX_URL, validEndpointUrl } from '../shared/url';
import { execAffected, isMysql, placeholders } from '../db/sql';
import { inTransaction } from '../db/transaction';
import { parseNameAndDescription } from '../shared/definition-fields';
import type { PubSub } from '../shared/pubsub';
import { CAMPAIGN_TRIGGERED, type CampaignTopics } from './campaign.events';
import { PersonEntity } from '../person/person.entity';
import type { PersonService } from '../person/person.service';
import type { ActivityService } from '../activity/activity.service';
import { subtractDuration } from '../smart-list/duration';
import { constraintsMatch } from '../smart-list/filter.match';
import { parseConstraints, parseDuration, parseFilterSet } from '../smart-list/filter.parser';
import { restoreFilterSet } from '../smart-list/filter.parser';
import type { SmartListService } from '../smart-list/smart-list.service';
import type { FilterSetDef } from '../smart-list/filter.model';
import { personJson, type RunPayload } from './campaign-payload';
import { campaignInputError, CampaignErrorReason, campaignInactive, campaignNotFound } from './campaign.errors';
import {
  CAMPAIGN_COLUMNS,
  type CampaignRow,
  FlowAction,
  MAX_DESCRIPTION,
  MAX_FLOW_STEPS,
  MAX_SCORE_DELTA,
  MAX_STEP_CONDITIONS,
  MAX_TRIGGERS,
  QualificationKind,
  RUN_COLUMNS,
  type RunRow,
  type StepResult,
  StepOutcome,
  type StoredDefinition,
  toCampaignRow,
  toRunRow,
} from './campaign.model';
import type { RunSource } from './campaign-stream';

/** What campaigns need from the delivery outbox (DeliveryService), kept narrow so either side can change. */
export interface DeliveryQueue {
  enqueue(
    tx: EntityManager,
    items: ReadonlyArray<{
      workspaceId: string;
      kind: DeliveryKind;
      activityId: string;
      campaignRunId: string;
      url?: string | null;
      payload: Record<string, unknown>;
    }>,
  ): Promise<string[]>;
  wake: () => void;
}

export interface CampaignInputShape {
  name: string;
  description?: string | null;
  triggers?: unknown;
  filterLogic?: unknown;
  advancedLogic?: unknown;
  filters?: unknown;
  qualification?: { kind?: unknown; interval?: unknown } | null;
  flow?: unknown;
}

const MAX_PARSED_CAMPAIGNS = 10_000;
/** updated_at doubles as the definition's version: every change moves it forward, even twice in one millisecond. */
const BUMP_UPDATED_AT = 'updated_at = CASE WHEN updated_at >= ? THEN updated_at + 1 ELSE ? END';

/** Parses and checks a campaign input; throws BAD_USER_INPUT naming the field. */
export function parseCampaignInput(input: CampaignInputShape): {
  name: string;
  description: string | null;
  definition: StoredDefinition;
} {
  const err = (message: string, field: string[], reason: CampaignErrorReason = CampaignErrorReason.FIELD_REQUIRED) =>
    campaignInputError(message, ['input', ...field], reason);
  const { name, description } = parseNameAndDescription(input);

  const rawTriggers = Array.isArray(input.triggers) ? input.triggers : [];
  if (rawTriggers.length < 1 || rawTriggers.length > MAX_TRIGGERS)
    throw err(`needs 1 to ${MAX_TRIGGERS} triggers`, ['triggers'], CampaignErrorReason.TRIGGERS_COUNT);
  const triggers = rawTriggers.map((trigger: any, i: number) => {
    const activity = trigger.activity as ChatActivityType;
    return {
      activity,
      constraints: parseConstraints(trigger.constraints, ['input', 'triggers', String(i), 'constraints'], activity),
    };
  });

  const filterSet = parseFilterSet(
    { logic: input.filterLogic, advancedLogic: input.advancedLogic, filters: input.filters },
    ['input'],
    { names: { logic: 'filterLogic', advancedLogic: 'advancedLogic', filters: 'filters' }, minFilters: 0 },
  );

  const kind = (input.qualification?.kind ?? QualificationKind.EACH_TIME) as QualificationKind;
  const rawInterval = input.qualification?.interval ?? null;
  if (kind === QualificationKind.ONCE_EVERY && rawInterval === null)
    throw err('ONCE_EVERY needs an interval', ['qualification', 'interval'], CampaignErrorReason.INTERVAL_REQUIRED);
  if (kind !== QualificationKind.ONCE_EVERY && rawInterval !== null)
    throw err(`${kind} takes no interval`, ['qualification', 'interval'], CampaignErrorReason.INTERVAL_NOT_ALLOWED);
  const interval = rawInterval === null ? null : parseDuration(rawInterval, ['input', 'qualification', 'interval']);

  const rawFlow = Array.isArray(input.flow) ? input.flow : [];
  if (rawFlow.length > MAX_FLOW_STEPS)
    throw err(`at most ${MAX_FLOW_STEPS} steps`, ['flow'], CampaignErrorReason.FLOW_TOO_LONG);
  const triggerTypes = triggers.map((t) => t.activity);
  const flow = rawFlow.map((step: any, i: number) => {
    const at = (field: string) => ['flow', String(i), field];
    const action = step.action as FlowAction;
    const has = (field: string) => step[field] !== undefined && step[field] !== null;
    const wants: Record<FlowAction, string> = {
      [FlowAction.CHANGE_SCORE]: 'scoreDelta',
      [FlowAction.INTERESTING_MOMENT]: 'description',
      [FlowAction.WEBHOOK]: 'webhookUrl',
    };
    for (const field of ['scoreDelta', 'description', 'webhookUrl']) {
      if (field === wants[action] && !has(field))
        throw err(`${action} needs ${field}`, at(field), CampaignErrorReason.FIELD_REQUIRED);
      if (field !== wants[action] && has(field))
        throw err(`${field} is not used by ${action}`, at(field), CampaignErrorReason.FIELD_NOT_ALLOWED);
    }
    if (
      action === FlowAction.CHANGE_SCORE &&
      (!Number.isInteger(step.scoreDelta) || step.scoreDelta === 0 || Math.abs(step.scoreDelta) > MAX_SCORE_DELTA)
    ) {
      throw err(
        `scoreDelta must be a non-zero integer from -${MAX_SCORE_DELTA} to ${MAX_SCORE_DELTA}`,
        at('scoreDelta'),
        CampaignErrorReason.SCORE_DELTA_INVALID,
      );
    }
    if (
      action === FlowAction.INTERESTING_MOMENT &&
      (typeof step.description !== 'string' ||
        step.description.trim() === '' ||
        step.description.length > MAX_DESCRIPTION)
    ) {
      throw err(
        `description must be 1 to ${MAX_DESCRIPTION} characters`,
        at('description'),
        CampaignErrorReason.FIELD_REQUIRED,
      );
    }
    // The outbox's own rule: a URL it would refuse at enqueue time would fail every recording that triggers the step.
    if (action === FlowAction.WEBHOOK && (typeof step.webhookUrl !== 'string' || !validEndpointUrl(step.webhookUrl))) {
      throw err(
        `webhookUrl must be an http(s) URL without credentials, of at most ${MAX_URL} characters`,
        at('webhookUrl'),
        CampaignErrorReason.WEBHOOK_URL_INVALID,
      );
    }
    const rawConditions = Array.isArray(step.conditions) ? step.conditions : [];
    if (rawConditions.length > MAX_STEP_CONDITIONS)
      throw err(`at most ${MAX_STEP_CONDITIONS} conditions`, at('conditions'), CampaignErrorReason.TOO_MANY_CONDITIONS);
    const conditions = rawConditions.map((condition: unknown, j: number) => {
      const path = ['input', 'flow', String(i), 'conditions', String(j)];
      // A condition looks at the triggering activity: it must be able to hold for at least one trigger's type.
      const errors: unknown[] = [];
      for (const type of triggerTypes) {
        try {
          return parseConstraints(condition, path, type);
        } catch (e) {
          errors.push(e);
        }
      }
      throw errors[0];
    });
    return {
      action,
      conditions,
      scoreDelta: action === FlowAction.CHANGE_SCORE ? step.scoreDelta : null,
      description: action === FlowAction.INTERESTING_MOMENT ? step.description : null,
      webhookUrl: action === FlowAction.WEBHOOK ? step.webhookUrl : null,
    };
  });

  return {
    name,
    description,
    definition: {
      triggers,
      filterLogic: filterSet.logic,
      advancedLogic: filterSet.advancedLogic,
      filters: filterSet.filters,
      qualification: { kind, interval },
      flow,
    },
  };
}

/** A campaign restored for the write path: definition plus its compiled filter set. */
interface LiveCampaign {
  row: CampaignRow;
  filters: FilterSetDef;
}

const triggers = (campaign: LiveCampaign, activity: ActivityEntity): boolean =>
  campaign.row.definition.triggers.some(
    (t) => t.activity === activity.type && constraintsMatch(activity, t.constraints),
  );

const stepApplies = (step: StoredDefinition['flow'][number], activity: ActivityEntity): boolean =>
  step.conditions.every((condition) => constraintsMatch(activity, condition));

/** Whether a run of this campaign for this (triggering) activity would update the person. */
const changesScore = (campaign: LiveCampaign, activity: ActivityEntity): boolean =>
  campaign.row.definition.flow.some((step) => step.action === FlowAction.CHANGE_SCORE && stepApplies(step, activity));

interface PlannedRun {
  campaign: LiveCampaign;
  activity: ActivityEntity;
  run: RunRow;
}

/**
 * Campaigns: definitions, and their evaluation on the write path. The hook
 * runs inside the transaction that stored the activities, so runs, score
 * changes and queued deliveries commit or roll back with them; runs are
 * published after the commit, each once, to its campaign's topic.
 */
export class CampaignService implements RunSource {
  /** Parsed definitions by campaign id, valid while updated_at (bumped by every change) is the same. */
  private readonly parsed = new Map<string, { version: number; campaign: LiveCampaign }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly smartLists: SmartListService,
    private readonly pubSub: PubSub<CampaignTopics>,
    private readonly deliveries: DeliveryQueue | null,
    private readonly people: PersonService,
    private readonly activities: ActivityService,
  ) {}

  // ------------------------------------------------------------ definitions

  async create(workspaceId: string, input: CampaignInputShape): Promise<CampaignRow> {
    const parsed = parseCampaignInput(input);
    const id = newId();
    const now = Date.now();
    await inTransaction(this.dataSource, async (tx) => {
      await tx.query(`INSERT INTO campaign (${CAMPAIGN_COLUMNS}, run_seq) VALUES (?, ?, ?, ?, 0, ?, ?, ?, 0)`, [
        id,
        workspaceId,
        parsed.name,
        parsed.description,
        JSON.stringify(parsed.definition),
        now,
        now,
      ]);
      await this.writeTriggers(tx, workspaceId, id, parsed.definition);
    });
    return (await this.get(workspaceId, id))!;
  }

  async update(workspaceId: string, id: string, input: CampaignInputShape): Promise<CampaignRow> {
    const parsed = parseCampaignInput(input);
    await inTransaction(this.dataSource, async (tx) => {
      const now = Date.now();
      const affected = await execAffected(
        tx,
        `UPDATE campaign SET name = ?, description = ?, definition = ?, ${BUMP_UPDATED_AT} WHERE workspace_id = ? AND id = ?`,
        [parsed.name, parsed.description, JSON.stringify(parsed.definition), now, now, workspaceId, id],
      );
      if (affected === 0) throw campaignNotFound(id);
      await tx.query('DELETE FROM campaign_trigger WHERE campaign_id = ?', [id]);
      await this.writeTriggers(tx, workspaceId, id, parsed.definition);
    });
    return (await this.get(workspaceId, id))!;
  }

  async setActive(workspaceId: string, id: string, active: boolean): Promise<CampaignRow> {
    const affected = await inTransaction(this.dataSource, (tx) =>
      execAffected(tx, `UPDATE campaign SET active = ?, ${BUMP_UPDATED_AT} WHERE workspace_id = ? AND id = ?`, [
        active ? 1 : 0,
        Date.now(),
        Date.now(),
        workspaceId,
        id,
      ]),
    );
    if (affected === 0) throw campaignNotFound(id);
    return (await this.get(workspaceId, id))!;
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    const affected = await inTransaction(this.dataSource, (tx) =>
      execAffected(tx, 'DELETE FROM campaign WHERE workspace_id = ? AND id = ?', [workspaceId, id]),
    );
    if (affected === 0) throw campaignNotFound(id);
  }

  async get(workspaceId: string, id: string): Promise<CampaignRow | null> {
    const [row] = await this.dataSource.query(
      `SELECT ${CAMPAIGN_COLUMNS} FROM campaign WHERE workspace_id = ? AND id = ?`,
      [workspaceId, id],
    );
    return row ? toCampaignRow(row) : null;
  }

  /** Newest first, keyset before `beforeId` (ids are time-ordered UUIDv7). */
  async list(workspaceId: string, options: { limit: number; beforeId?: string | null }): Promise<CampaignRow[]> {
    const rows = await this.dataSource.query(
      `SELECT ${CAMPAIGN_COLUMNS} FROM campaign WHERE workspace_id = ?${options.beforeId ? ' AND id < ?' : ''} ORDER BY id DESC LIMIT ?`,
      options.beforeId ? [workspaceId, options.beforeId, options.limit] : [workspaceId, options.limit],
    );
    return rows.map(toCampaignRow);
  }

  /** A campaign's runs, newest first, keyset before `beforeSeq`. */
  async runs(campaignId: string, options: { limit: number; beforeSeq?: number | null }): Promise<RunRow[]> {
    const rows = await this.dataSource.query(
      `SELECT ${RUN_COLUMNS} FROM campaign_run WHERE campaign_id = ?${options.beforeSeq != null ? ' AND seq < ?' : ''} ORDER BY seq DESC LIMIT ?`,
      options.beforeSeq != null ? [campaignId, options.beforeSeq, options.limit] : [campaignId, options.limit],
    );
    return rows.map(toRunRow);
  }

  async getRuns(workspaceId: string, ids: readonly string[]): Promise<Array<RunRow | null>> {
    const rows = await this.dataSource.query(
      `SELECT ${RUN_COLUMNS} FROM campaign_run WHERE workspace_id = ? AND id IN (${placeholders(ids.length)})`,
      [workspaceId, ...ids],
    );
    const byId = new Map<string, RunRow>(rows.map((r: Record<string, unknown>) => [r.id as string, toRunRow(r)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async getMany(workspaceId: string, ids: readonly string[]): Promise<Array<CampaignRow | null>> {
    const rows = await this.dataSource.query(
      `SELECT ${CAMPAIGN_COLUMNS} FROM campaign WHERE workspace_id = ? AND id IN (${placeholders(ids.length)})`,
      [workspaceId, ...ids],
    );
    const byId = new Map<string, CampaignRow>(
      rows.map((r: Record<string, unknown>) => [r.id as string, toCampaignRow(r)]),
    );
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** The campaign a subscriber may listen to: of its workspace (NOT_FOUND) and active (BAD_USER_INPUT). */
  async listenable(workspaceId: string, id: string): Promise<CampaignRow> {
    const campaign = await this.get(workspaceId, id);
    if (!campaign) throw campaignNotFound(id);
    if (!campaign.active) throw campaignInactive(id);
    return campaign;
  }

  private async writeTriggers(
    tx: EntityManager,
    workspaceId: string,
    campaignId: string,
    definition: StoredDefinition,
  ): Promise<void> {
    // One index row per activity type: the write path looks campaigns up by (workspace, type).
    const types = [...new Set(definition.triggers.map((t) => t.activity))];
    await tx.query(
      `INSERT INTO campaign_trigger (campaign_id, position, workspace_id, activity_type) VALUES ${types.map(() => '(?, ?, ?, ?)').join(', ')}`,
      types.flatMap((type, i) => [campaignId, i + 1, workspaceId, type]),
    );
  }

  // ------------------------------------------------------- run stream source

  async lastSeq(campaignId: string): Promise<number> {
    const [row] = await this.dataSource.query('SELECT run_seq FROM campaign WHERE id = ?', [campaignId]);
    return row ? Number(row.run_seq) : 0;
  }

  async runsBetween(campaignId: string, afterSeq: number, beforeSeq: number | null, limit: number): Promise<RunRow[]> {
    const rows = await this.dataSource.query(
      `SELECT ${RUN_COLUMNS} FROM campaign_run WHERE campaign_id = ? AND seq > ?${beforeSeq !== null ? ' AND seq < ?' : ''} ORDER BY seq LIMIT ?`,
      beforeSeq !== null ? [campaignId, afterSeq, beforeSeq, limit] : [campaignId, afterSeq, limit],
    );
    return rows.map(toRunRow);
  }

  /**
   * Replayed runs: the current person and the stored activity (live runs
   * carry them from the write). A person merge committing between reading the
   * runs and their people moves a run to another person: such runs are read
   * again, never skipped; what still cannot be answered fails the stream (the
   * client resumes from its last cursor) rather than losing a run.
   */
  async payloadsOf(campaign: CampaignRow, runs: readonly RunRow[]): Promise<RunPayload[]> {
    if (runs.length === 0) return [];
    const { workspaceId } = campaign;
    const people = await this.peopleById(
      workspaceId,
      runs.map((r) => r.personId),
    );
    const moved = runs.filter((run) => !people.has(run.personId));
    let current = runs;
    if (moved.length > 0) {
      const reread = new Map(
        (
          await this.getRuns(
            workspaceId,
            moved.map((r) => r.id),
          )
        )
          .filter((r): r is RunRow => r !== null)
          .map((r) => [r.id, r]),
      );
      for (const [id, person] of await this.peopleById(
        workspaceId,
        [...reread.values()].map((r) => r.personId),
      ))
        people.set(id, person);
      current = runs.map((run) => reread.get(run.id) ?? run);
    }
    const activities = await this.activities.getMany(
      workspaceId,
      current.map((r) => r.activityId),
    );
    return current.map((run, i) => {
      const person = people.get(run.personId);
      const activity = activities[i];
      if (!person || !activity)
        throw new Error(`run ${run.id} of campaign ${campaign.id} lost its person or activity during replay`);
      return { run, campaign, person: personJson(person), activity };
    });
  }

  private async peopleById(workspaceId: string, ids: readonly string[]): Promise<Map<string, PersonEntity>> {
    const people = await this.people.getMany(workspaceId, ids);
    return new Map(people.filter((p): p is PersonEntity => p !== null).map((p) => [p.id, p]));
  }

  // ------------------------------------------------------------- write path

  /**
   * The active campaigns a batch's activity types can trigger are read before the batch is inserted. If one of
   * the batch's activities triggers a campaign with a CHANGE_SCORE step whose conditions it meets, the write path
   * locks the batch's people first (filters and qualification, checked later, may still skip the run: the lock
   * is then merely unneeded). The same campaigns then run.
   */
  readonly activityHook: ActivityRecordedHook = {
    prepare: async (tx, { workspaceId, activities }) => {
      const campaigns = await this.candidates(tx, workspaceId, [...new Set(activities.map((a) => a.type))]);
      return {
        updatesPeople: activities.some((activity) =>
          campaigns.some((campaign) => triggers(campaign, activity) && changesScore(campaign, activity)),
        ),
        recorded: (recorded) => this.onRecorded(tx, recorded, campaigns),
      };
    },
  };

  /**
   * Active campaigns with a trigger of one of these types: one indexed query
   * (campaign_trigger by workspace and type) for ids and versions; definitions
   * are parsed once per version and kept, so a batch costs the same whatever
   * the size of the definitions.
   */
  private async candidates(
    tx: EntityManager,
    workspaceId: string,
    types: readonly ChatActivityType[],
  ): Promise<LiveCampaign[]> {
    const rows: Array<{ id: string; updated_at: number | string }> = await tx.query(
      `SELECT c.id, c.updated_at FROM campaign_trigger t JOIN campaign c ON c.id = t.campaign_id
       WHERE t.workspace_id = ? AND t.activity_type IN (${placeholders(types.length)}) AND c.active = 1`,
      [workspaceId, ...types],
    );
    if (rows.length === 0) return [];
    const versions = new Map(rows.map((r) => [r.id, Number(r.updated_at)]));
    const stale = [...versions].filter(([id, version]) => this.parsed.get(id)?.version !== version).map(([id]) => id);
    if (stale.length > 0) {
      if (this.parsed.size > MAX_PARSED_CAMPAIGNS) this.parsed.clear();
      const campaigns = await tx.query(
        `SELECT ${CAMPAIGN_COLUMNS} FROM campaign WHERE id IN (${placeholders(stale.length)})`,
        stale,
      );
      for (const r of campaigns) {
        const row = toCampaignRow(r);
        const d = row.definition;
        const filters = restoreFilterSet({ logic: d.filterLogic, advancedLogic: d.advancedLogic, filters: d.filters });
        this.parsed.set(row.id, { version: row.updatedAt, campaign: { row, filters } });
      }
    }
    return [...versions.keys()]
      .sort()
      .map((id) => this.parsed.get(id)?.campaign)
      .filter((c): c is LiveCampaign => c !== undefined && c.row.active);
  }

  private async onRecorded(
    tx: EntityManager,
    { workspaceId, activities }: RecordedActivities,
    campaigns: readonly LiveCampaign[],
  ): Promise<AfterCommit | void> {
    if (campaigns.length === 0) return;
    const now = Date.now();
    const hit = campaigns.filter((campaign) => activities.some((activity) => triggers(campaign, activity)));
    if (hit.length === 0) return;
    if (isMysql(tx)) {
      // Qualifying inserts into campaign_qualification, whose foreign key takes a shared lock on the campaign
      // row, and the run sequence then needs it exclusively: lock the triggered campaigns first, in id order,
      // so concurrent recordings queue instead of deadlocking on the upgrade.
      const ids = hit.map((c) => c.row.id).sort();
      await tx.query(`SELECT id FROM campaign WHERE id IN (${placeholders(ids.length)}) ORDER BY id FOR UPDATE`, ids);
    }
    const planned: PlannedRun[] = [];
    // Delivery steps are queued once the people are read (their summary goes into the payload); the step's
    // outcome is settled then, before the run is written.
    const deliverySteps: Array<{
      run: RunRow;
      activity: ActivityEntity;
      step: StoredDefinition['flow'][number];
      result: StepResult;
      campaign: CampaignRow;
    }> = [];

    for (const [index, activity] of activities.entries()) {
      // Each input takes effect in input order: filters checked for this activity must not see the
      // person's later activities of the same batch, although they are already stored.
      const later = activities
        .slice(index + 1)
        .filter((a) => a.personId === activity.personId)
        .map((a) => a.id);
      for (const campaign of hit) {
        const definition = campaign.row.definition;
        if (!triggers(campaign, activity)) continue;
        if (
          campaign.filters.filters.length > 0 &&
          !(await this.smartLists.passes(tx, workspaceId, activity.personId, campaign.filters, now, later))
        )
          continue;
        const runId = newId();
        if (!(await this.qualify(tx, campaign.row, activity.personId, runId, now))) continue;

        const run: RunRow = {
          id: runId,
          workspaceId,
          campaignId: campaign.row.id,
          seq: 0,
          personId: activity.personId,
          activityId: activity.id,
          triggeredAt: now,
          steps: [],
        };
        for (const [i, step] of definition.flow.entries()) {
          const result: StepResult = { position: i + 1, action: step.action, outcome: StepOutcome.SKIPPED };
          run.steps.push(result);
          if (!stepApplies(step, activity)) continue;
          if (step.action === FlowAction.CHANGE_SCORE) {
            // Atomic in the database: concurrent runs add up.
            await tx.query('UPDATE person SET score = score + ?, updated_at = ? WHERE id = ?', [
              step.scoreDelta,
              now,
              activity.personId,
            ]);
            result.outcome = StepOutcome.DONE;
          } else {
            deliverySteps.push({ run, activity, step, result, campaign: campaign.row });
          }
        }
        planned.push({ campaign, activity, run });
      }
    }
    if (planned.length === 0) return;

    const people = new Map(
      (await tx.getRepository(PersonEntity).findBy({ id: In([...new Set(planned.map((p) => p.run.personId))]) })).map(
        (person) => [person.id, person],
      ),
    );
    let queued = 0;
    for (const { run, activity, step, result, campaign } of deliverySteps) {
      const person = people.get(run.personId)!;
      const written = this.deliveries
        ? await this.deliveries.enqueue(tx, [
            {
              workspaceId,
              kind: step.action === FlowAction.WEBHOOK ? DeliveryKind.WEBHOOK : DeliveryKind.INTERESTING_MOMENT,
              activityId: activity.id,
              campaignRunId: run.id,
              url: step.webhookUrl,
              payload: {
                campaign: { id: campaign.id, name: campaign.name },
                run: { id: run.id, triggeredAt: new Date(now).toISOString() },
                personId: run.personId,
                activity: activityPayload(activity, person),
                ...(step.action === FlowAction.INTERESTING_MOMENT ? { description: step.description } : {}),
              },
            },
          ])
        : [];
      // The outbox skips an INTERESTING_MOMENT while Sales Insight is off: nothing is queued, so the step FAILED.
      result.outcome = written.length > 0 ? StepOutcome.QUEUED : StepOutcome.FAILED;
      queued += written.length;
    }

    // Sequence numbers last and in campaign id order: the campaign row lock that orders runs is held as briefly as possible.
    const byCampaign = new Map<string, PlannedRun[]>();
    for (const p of planned) byCampaign.set(p.campaign.row.id, [...(byCampaign.get(p.campaign.row.id) ?? []), p]);
    for (const [campaignId, runs] of [...byCampaign].sort(([a], [b]) => (a < b ? -1 : 1))) {
      await tx.query('UPDATE campaign SET run_seq = run_seq + ? WHERE id = ?', [runs.length, campaignId]);
      const [{ run_seq }] = await tx.query('SELECT run_seq FROM campaign WHERE id = ?', [campaignId]);
      const first = Number(run_seq) - runs.length + 1;
      runs.forEach((p, i) => (p.run.seq = first + i));
    }
    await tx.query(
      `INSERT INTO campaign_run (${RUN_COLUMNS}) VALUES ${planned.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      planned.flatMap(({ run }) => [
        run.id,
        run.workspaceId,
        run.campaignId,
        run.seq,
        run.personId,
        run.activityId,
        run.triggeredAt,
        JSON.stringify(run.steps),
      ]),
    );

    const payloads: RunPayload[] = planned
      .sort((a, b) => a.run.seq - b.run.seq)
      .map((p) => ({
        run: p.run,
        campaign: p.campaign.row,
        person: personJson(people.get(p.run.personId)!),
        activity: p.activity,
      }));
    return () => {
      // After this turn of the event loop: the recording call is answered first, then the fan-out to listeners runs.
      setImmediate(() => {
        for (const payload of payloads) this.pubSub.publish(CAMPAIGN_TRIGGERED, payload.run.campaignId, payload);
      });
      if (queued > 0) this.deliveries?.wake();
    };
  }

  /**
   * The qualification rule, race-safe through the (campaign, person) primary
   * key of campaign_qualification: of two concurrent transactions, the second
   * waits on the first's row and then sees it.
   */
  private async qualify(
    tx: EntityManager,
    campaign: CampaignRow,
    personId: string,
    runId: string,
    now: number,
  ): Promise<boolean> {
    const { kind, interval } = campaign.definition.qualification;
    if (kind === QualificationKind.EACH_TIME) return true;
    if (kind === QualificationKind.ONCE_EVERY) {
      const due = subtractDuration(now, interval!);
      const updated = await execAffected(
        tx,
        'UPDATE campaign_qualification SET last_run_at = ?, run_id = ? WHERE campaign_id = ? AND person_id = ? AND last_run_at <= ?',
        [now, runId, campaign.id, personId, due],
      );
      if (updated > 0) return true;
    }
    const inserted = await execAffected(
      tx,
      `INSERT ${isMysql(tx) ? 'IGNORE' : 'OR IGNORE'} INTO campaign_qualification (campaign_id, person_id, workspace_id, last_run_at, run_id) VALUES (?, ?, ?, ?, ?)`,
      [campaign.id, personId, campaign.workspaceId, now, runId],
    );
    return inserted > 0;
  }
}
