import type { DataSource, EntityManager } from 'typeorm';
import { newId } from '../db/columns';
import { LIKE_ESCAPE, likePattern, placeholders, selectEntities } from '../db/sql';
import { inTransaction } from '../db/transaction';
import { UserInputError } from '../shared/errors';
import { PersonEntity } from './person.entity';
import { PersonErrorReason } from './person.errors';
import { VisitorEntity } from './visitor.entity';

export interface IdentityInput {
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  company?: string | null;
}

/**
 * Moves whatever else belongs to a person when an anonymous person is merged
 * into a known one (campaign runs, qualification rows, ...). Features that
 * store per-person rows register one; all run in the merge transaction.
 */
export type PersonMergeStep = (
  tx: EntityManager,
  workspaceId: string,
  fromPersonId: string,
  toPersonId: string,
) => Promise<void>;

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

const MAX_SEARCH_LENGTH = 255;

export class PersonService {
  private readonly mergeSteps: PersonMergeStep[] = [];

  constructor(private readonly dataSource: DataSource) {}

  registerMergeStep(step: PersonMergeStep): void {
    this.mergeSteps.push(step);
  }

  // ------------------------------------------------------------------ reads

  async get(workspaceId: string, id: string): Promise<PersonEntity | null> {
    const [person] = await selectEntities(this.dataSource, PersonEntity, 'p', 'WHERE p.workspace_id = ? AND p.id = ?', [
      workspaceId,
      id,
    ]);
    return person ?? null;
  }

  async getByEmail(workspaceId: string, email: string): Promise<PersonEntity | null> {
    return this.dataSource
      .getRepository(PersonEntity)
      .findOne({ where: { workspaceId, emailNormalized: normalizeEmail(email) } });
  }

  async getByVisitor(workspaceId: string, visitorId: string): Promise<PersonEntity | null> {
    const visitor = await this.dataSource.getRepository(VisitorEntity).findOne({ where: { workspaceId, visitorId } });
    return visitor ? this.get(workspaceId, visitor.personId) : null;
  }

  /** Batch load for DataLoaders: people by id, in key order, null for unknown or foreign ids. */
  async getMany(workspaceId: string, ids: readonly string[]): Promise<Array<PersonEntity | null>> {
    const rows = await this.dataSource
      .getRepository(PersonEntity)
      .createQueryBuilder('p')
      .where('p.workspace_id = :workspaceId AND p.id IN (:...ids)', { workspaceId, ids: [...new Set(ids)] })
      .getMany();
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** Batch load for DataLoaders: visitor ids per person, oldest first. */
  async visitorIdsOf(workspaceId: string, personIds: readonly string[]): Promise<string[][]> {
    const rows: Array<{ person_id: string; visitor_id: string }> = await this.dataSource.query(
      `SELECT person_id, visitor_id FROM visitor WHERE workspace_id = ? AND person_id IN (${placeholders(personIds.length)}) ORDER BY created_at, visitor_id`,
      [workspaceId, ...personIds],
    );
    const byPerson = new Map<string, string[]>();
    for (const row of rows) {
      const list = byPerson.get(row.person_id) ?? [];
      list.push(row.visitor_id);
      byPerson.set(row.person_id, list);
    }
    return personIds.map((id) => byPerson.get(id) ?? []);
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
    const build = () => {
      const qb = this.dataSource
        .getRepository(PersonEntity)
        .createQueryBuilder('p')
        .where('p.workspace_id = :workspaceId', { workspaceId });
      if (search) {
        const columns = ['p.email_normalized', 'LOWER(p.first_name)', 'LOWER(p.last_name)', 'LOWER(p.company)'];
        qb.andWhere(`(${columns.map((c) => `${c} LIKE :pattern ${LIKE_ESCAPE}`).join(' OR ')})`, {
          pattern: likePattern(search, 'contains'),
        });
      }
      return qb;
    };
    const page = build();
    if (options.afterId) page.andWhere('p.id > :afterId', { afterId: options.afterId });
    const rows = await page.orderBy('p.id', 'ASC').limit(options.limit).getMany();
    return { rows, totalCount: () => build().getCount() };
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
    const found = await this.findVisitors(tx, workspaceId, unique);
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length === 0) return found;

    const people = missing.map((visitorId) => ({ visitorId, personId: newId() }));
    await tx
      .createQueryBuilder()
      .insert()
      .into(PersonEntity)
      .values(
        people.map(({ personId }) => ({
          id: personId,
          workspaceId,
          email: null,
          emailNormalized: null,
          firstName: null,
          lastName: null,
          company: null,
          score: 0,
          createdAt: now,
          updatedAt: now,
        })),
      )
      .execute();
    await tx
      .createQueryBuilder()
      .insert()
      .into(VisitorEntity)
      .values(
        people.map(({ visitorId, personId }) => ({ workspaceId, visitorId, personId, createdAt: now, updatedAt: now })),
      )
      .orIgnore()
      .execute();
    const resolved = await this.findVisitors(tx, workspaceId, missing);
    const surplus = people
      .filter(({ visitorId, personId }) => resolved.get(visitorId) !== personId)
      .map((p) => p.personId);
    if (surplus.length > 0) {
      await tx.query(`DELETE FROM person WHERE id IN (${placeholders(surplus.length)})`, surplus);
    }
    for (const [visitorId, personId] of resolved) found.set(visitorId, personId);
    return found;
  }

  private async findVisitors(
    tx: EntityManager,
    workspaceId: string,
    visitorIds: readonly string[],
  ): Promise<Map<string, string>> {
    if (visitorIds.length === 0) return new Map();
    const rows: Array<{ visitor_id: string; person_id: string }> = await tx.query(
      `SELECT visitor_id, person_id FROM visitor WHERE workspace_id = ? AND visitor_id IN (${placeholders(visitorIds.length)})`,
      [workspaceId, ...visitorIds],
    );
    return new Map(rows.map((row) => [row.visitor_id, row.person_id]));
  }

  /** identifyVisitor: the identification in a transaction of its own. */
  async identifyVisitor(workspaceId: string, input: IdentityInput & { visitorId: string }): Promise<PersonEntity> {
    const now = new Date();
    return inTransaction(this.dataSource, (tx) => this.identify(tx, workspaceId, input.visitorId, input, now));
  }

  /**
   * Attaches the visitor to the person with this email (case-insensitive),
   * creating the person if needed. An anonymous person the visitor had is
   * merged in (activities, visitor ids, whatever merge steps move, scores
   * added) and removed. A visitor of another known person just moves: the
   * history recorded so far stays with that person.
   */
  async identify(
    tx: EntityManager,
    workspaceId: string,
    visitorId: string,
    identity: IdentityInput,
    now: Date,
  ): Promise<PersonEntity> {
    const target = await this.upsertKnownPerson(tx, workspaceId, identity, now);
    const current = (await this.findVisitors(tx, workspaceId, [visitorId])).get(visitorId);
    if (current === undefined) {
      await tx
        .createQueryBuilder()
        .insert()
        .into(VisitorEntity)
        .values({ workspaceId, visitorId, personId: target.id, createdAt: now, updatedAt: now })
        .orIgnore()
        .execute();
      const winner = (await this.findVisitors(tx, workspaceId, [visitorId])).get(visitorId);
      if (winner !== target.id && winner !== undefined) return this.identify(tx, workspaceId, visitorId, identity, now);
      return target;
    }
    if (current === target.id) return target;

    const previous = await tx.getRepository(PersonEntity).findOne({ where: { workspaceId, id: current } });
    if (previous && previous.emailNormalized === null) {
      await this.merge(tx, workspaceId, previous, target, now);
    } else {
      await tx.query('UPDATE visitor SET person_id = ?, updated_at = ? WHERE workspace_id = ? AND visitor_id = ?', [
        target.id,
        now.getTime(),
        workspaceId,
        visitorId,
      ]);
    }
    return (await tx.getRepository(PersonEntity).findOneOrFail({ where: { id: target.id } })) as PersonEntity;
  }

  private async upsertKnownPerson(
    tx: EntityManager,
    workspaceId: string,
    identity: IdentityInput,
    now: Date,
  ): Promise<PersonEntity> {
    const emailNormalized = normalizeEmail(identity.email);
    const repo = tx.getRepository(PersonEntity);
    let person = await repo.findOne({ where: { workspaceId, emailNormalized } });
    if (!person) {
      // The unique index (workspace, email_normalized) settles a race between two first identifications.
      await tx
        .createQueryBuilder()
        .insert()
        .into(PersonEntity)
        .values({
          id: newId(),
          workspaceId,
          email: identity.email.trim(),
          emailNormalized,
          firstName: identity.firstName ?? null,
          lastName: identity.lastName ?? null,
          company: identity.company ?? null,
          score: 0,
          createdAt: now,
          updatedAt: now,
        })
        .orIgnore()
        .execute();
      person = await repo.findOneOrFail({ where: { workspaceId, emailNormalized } });
      return person;
    }
    const changes: Partial<PersonEntity> = {};
    if (identity.firstName != null && identity.firstName !== person.firstName) changes.firstName = identity.firstName;
    if (identity.lastName != null && identity.lastName !== person.lastName) changes.lastName = identity.lastName;
    if (identity.company != null && identity.company !== person.company) changes.company = identity.company;
    if (Object.keys(changes).length > 0) {
      await repo.update({ id: person.id }, { ...changes, updatedAt: now });
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
    await tx.query('UPDATE activity SET person_id = ? WHERE person_id = ?', [into.id, from.id]);
    await tx.query('UPDATE visitor SET person_id = ?, updated_at = ? WHERE workspace_id = ? AND person_id = ?', [
      into.id,
      now.getTime(),
      workspaceId,
      from.id,
    ]);
    for (const step of this.mergeSteps) await step(tx, workspaceId, from.id, into.id);
    await tx.query('UPDATE person SET score = score + ?, updated_at = ? WHERE id = ?', [
      from.score,
      now.getTime(),
      into.id,
    ]);
    await tx.query('DELETE FROM person WHERE id = ?', [from.id]);
  }
}
