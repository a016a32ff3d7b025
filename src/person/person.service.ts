import type { DataSource, EntityManager } from 'typeorm';
import { newId } from '../db/columns';
import { inTransaction } from '../db/transaction';
import { UserInputError } from '../shared/errors';
import { PersonEntity } from './person.entity';
import { PersonErrorReason } from './person.errors';
import { PersonRepository, type PersonFields } from './person.repository';

export interface IdentityInput {
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  company?: string | null;
}

/** How an identification may change the known person it names. */
export interface IdentifyPolicy {
  /**
   * true: the given fields replace the stored ones. false: they only fill
   * fields that are still empty (an unverified identification must not
   * rewrite a known person's data).
   */
  overwrite: boolean;
}

/**
 * Moves whatever else belongs to a person when an anonymous person is merged
 * into a known one (activities, campaign runs, qualification rows, ...).
 * Features that store per-person rows register one; all run in the merge
 * transaction.
 */
export type PersonMergeStep = (
  tx: EntityManager,
  workspaceId: string,
  fromPersonId: string,
  toPersonId: string,
) => Promise<void>;

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

const MAX_SEARCH_LENGTH = 255;
const IDENTITY_FIELDS = ['firstName', 'lastName', 'company'] as const;

export class PersonService {
  private readonly mergeSteps: PersonMergeStep[] = [];
  readonly repository: PersonRepository;

  constructor(private readonly dataSource: DataSource) {
    this.repository = new PersonRepository(dataSource);
  }

  registerMergeStep(step: PersonMergeStep): void {
    this.mergeSteps.push(step);
  }

  // ------------------------------------------------------------------ reads

  get(workspaceId: string, id: string): Promise<PersonEntity | null> {
    return this.repository.get(workspaceId, id);
  }

  getByEmail(workspaceId: string, email: string): Promise<PersonEntity | null> {
    return this.repository.getByEmail(workspaceId, normalizeEmail(email));
  }

  async getByVisitor(workspaceId: string, visitorId: string): Promise<PersonEntity | null> {
    const personId = (await this.repository.findVisitors(this.dataSource, workspaceId, [visitorId])).get(visitorId);
    return personId ? this.get(workspaceId, personId) : null;
  }

  /** Batch load for DataLoaders: people by id, in key order, null for unknown or foreign ids. */
  async getMany(workspaceId: string, ids: readonly string[]): Promise<Array<PersonEntity | null>> {
    const byId = new Map((await this.repository.getMany(workspaceId, ids)).map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** Batch load for DataLoaders: visitor ids per person, oldest first. */
  visitorIdsOf(workspaceId: string, personIds: readonly string[]): Promise<string[][]> {
    return this.repository.visitorIdsOf(workspaceId, personIds);
  }

  /** People ordered by id (keyset after `afterId`), optionally matching `search` in email, names or company. */
  async list(
    workspaceId: string,
    options: { limit: number; afterId?: string | null; search?: string | null },
  ): Promise<{ rows: PersonEntity[]; totalCount: () => Promise<number> }> {
    const search = options.search?.trim();
    if (search && search.length > MAX_SEARCH_LENGTH) {
      throw new UserInputError(
        `search must be at most ${MAX_SEARCH_LENGTH} characters`,
        ['search'],
        PersonErrorReason.SEARCH_TOO_LONG,
      );
    }
    return {
      rows: await this.repository.list(workspaceId, { ...options, search }),
      totalCount: () => this.repository.count(workspaceId, search),
    };
  }

  // --------------------------------------------------------------- identity

  /**
   * The person of each visitor, creating anonymous people for new visitors.
   * Runs in the caller's transaction; a handful of statements for the whole
   * batch. Concurrent first calls for one new visitor end with one person:
   * the visitor row (primary key workspace + visitor id) decides, and the
   * losers' surplus people are removed.
   */
  async resolveVisitors(
    tx: EntityManager,
    workspaceId: string,
    visitorIds: readonly string[],
    now: Date,
  ): Promise<Map<string, string>> {
    const unique = [...new Set(visitorIds)];
    const found = await this.repository.findVisitors(tx, workspaceId, unique);
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length === 0) return found;

    const people = missing.map((visitorId) => ({ visitorId, personId: newId() }));
    await this.repository.insert(
      tx,
      people.map(({ personId }) => newPerson(personId, workspaceId, null, {}, now)),
    );
    await this.repository.insertVisitorsIgnore(tx, workspaceId, people, now);
    const resolved = await this.repository.findVisitors(tx, workspaceId, missing);
    const surplus = people.filter(({ visitorId, personId }) => resolved.get(visitorId) !== personId);
    await this.repository.delete(
      tx,
      surplus.map((p) => p.personId),
    );
    for (const [visitorId, personId] of resolved) found.set(visitorId, personId);
    return found;
  }

  /** identifyVisitor: the identification in a transaction of its own. */
  async identifyVisitor(
    workspaceId: string,
    input: IdentityInput & { visitorId: string },
    policy: IdentifyPolicy,
  ): Promise<PersonEntity> {
    const now = new Date();
    return inTransaction(this.dataSource, (tx) => this.identify(tx, workspaceId, input.visitorId, input, now, policy));
  }

  /**
   * Attaches the visitor to the person with this email (case-insensitive),
   * creating the person if needed. An anonymous person the visitor had is
   * merged in (its visitor ids, whatever the merge steps move, its score
   * added) and removed. A visitor of another known person just moves: the
   * history recorded so far stays with that person.
   */
  async identify(
    tx: EntityManager,
    workspaceId: string,
    visitorId: string,
    identity: IdentityInput,
    now: Date,
    policy: IdentifyPolicy,
  ): Promise<PersonEntity> {
    const target = await this.upsertKnownPerson(tx, workspaceId, identity, now, policy);
    const current = (await this.repository.findVisitors(tx, workspaceId, [visitorId])).get(visitorId);
    if (current === undefined) {
      await this.repository.insertVisitorsIgnore(tx, workspaceId, [{ visitorId, personId: target.id }], now);
      const winner = (await this.repository.findVisitors(tx, workspaceId, [visitorId])).get(visitorId);
      if (winner !== target.id && winner !== undefined)
        return this.identify(tx, workspaceId, visitorId, identity, now, policy);
      return target;
    }
    if (current === target.id) return target;

    const previous = await this.repository.get(workspaceId, current, tx);
    if (previous && previous.emailNormalized === null) await this.merge(tx, workspaceId, previous, target, now);
    else await this.repository.moveVisitor(tx, workspaceId, visitorId, target.id, now);
    return (await this.repository.get(workspaceId, target.id, tx))!;
  }

  private async upsertKnownPerson(
    tx: EntityManager,
    workspaceId: string,
    identity: IdentityInput,
    now: Date,
    policy: IdentifyPolicy,
  ): Promise<PersonEntity> {
    const emailNormalized = normalizeEmail(identity.email);
    const person = await this.repository.getByEmail(workspaceId, emailNormalized, tx);
    if (!person) {
      // The unique index (workspace, email_normalized) settles a race between two first identifications.
      const fresh = newPerson(newId(), workspaceId, identity.email.trim(), identity, now);
      await this.repository.insert(tx, [fresh], true);
      return (await this.repository.getByEmail(workspaceId, emailNormalized, tx))!;
    }
    const changes: PersonFields = {};
    for (const field of IDENTITY_FIELDS) {
      const given = identity[field];
      if (given == null || given === person[field]) continue;
      if (policy.overwrite || person[field] === null || person[field] === '') changes[field] = given;
    }
    if (Object.keys(changes).length > 0) {
      await this.repository.update(tx, person.id, changes, now);
      Object.assign(person, changes, { updatedAt: now });
    }
    return person;
  }

  private async merge(
    tx: EntityManager,
    workspaceId: string,
    from: PersonEntity,
    into: PersonEntity,
    now: Date,
  ): Promise<void> {
    await this.repository.moveAllVisitors(tx, workspaceId, from.id, into.id, now);
    for (const step of this.mergeSteps) await step(tx, workspaceId, from.id, into.id);
    await this.repository.addScore(tx, into.id, from.score, now);
    await this.repository.delete(tx, [from.id]);
  }
}

function newPerson(
  id: string,
  workspaceId: string,
  email: string | null,
  fields: PersonFields,
  now: Date,
): PersonEntity {
  return Object.assign(new PersonEntity(), {
    id,
    workspaceId,
    email,
    emailNormalized: email === null ? null : normalizeEmail(email),
    firstName: fields.firstName ?? null,
    lastName: fields.lastName ?? null,
    company: fields.company ?? null,
    score: 0,
    createdAt: now,
    updatedAt: now,
  });
}
