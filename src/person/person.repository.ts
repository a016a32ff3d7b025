import type { DataSource, EntityManager } from 'typeorm';
import { isMysql, LIKE_ESCAPE, likePattern, placeholders, selectEntities } from '../db/sql';
import { PersonEntity } from './person.entity';

type Db = DataSource | EntityManager;

/** Fields identification may set on a person. */
export type PersonFields = Partial<Pick<PersonEntity, 'firstName' | 'lastName' | 'company'>>;

/** The person and visitor tables' SQL. */
export class PersonRepository {
  constructor(private readonly dataSource: DataSource) {}

  async get(workspaceId: string, id: string, db: Db = this.dataSource): Promise<PersonEntity | null> {
    const [person] = await selectEntities(db, PersonEntity, 'p', 'WHERE p.workspace_id = ? AND p.id = ?', [
      workspaceId,
      id,
    ]);
    return person ?? null;
  }

  async getByEmail(
    workspaceId: string,
    emailNormalized: string,
    db: Db = this.dataSource,
  ): Promise<PersonEntity | null> {
    const [person] = await selectEntities(
      db,
      PersonEntity,
      'p',
      'WHERE p.workspace_id = ? AND p.email_normalized = ?',
      [workspaceId, emailNormalized],
    );
    return person ?? null;
  }

  async getMany(workspaceId: string, ids: readonly string[], db: Db = this.dataSource): Promise<PersonEntity[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    return selectEntities(
      db,
      PersonEntity,
      'p',
      `WHERE p.workspace_id = ? AND p.id IN (${placeholders(unique.length)})`,
      [workspaceId, ...unique],
    );
  }

  /** People ordered by id (keyset after `afterId`), optionally matching `search` in email, names or company. */
  async list(
    workspaceId: string,
    options: { limit: number; afterId?: string | null; search?: string | null },
  ): Promise<PersonEntity[]> {
    const { where, params } = this.listWhere(workspaceId, options.search);
    if (options.afterId) {
      where.push('p.id > ?');
      params.push(options.afterId);
    }
    return selectEntities(this.dataSource, PersonEntity, 'p', `WHERE ${where.join(' AND ')} ORDER BY p.id LIMIT ?`, [
      ...params,
      options.limit,
    ]);
  }

  async count(workspaceId: string, search?: string | null): Promise<number> {
    const { where, params } = this.listWhere(workspaceId, search);
    const [row] = await this.dataSource.query<Array<{ n: number | string }>>(
      `SELECT COUNT(*) AS n FROM person p WHERE ${where.join(' AND ')}`,
      params,
    );
    return Number(row.n);
  }

  private listWhere(workspaceId: string, search?: string | null): { where: string[]; params: unknown[] } {
    const where = ['p.workspace_id = ?'];
    const params: unknown[] = [workspaceId];
    if (search) {
      const columns = ['p.email_normalized', 'LOWER(p.first_name)', 'LOWER(p.last_name)', 'LOWER(p.company)'];
      where.push(`(${columns.map((c) => `${c} LIKE ? ${LIKE_ESCAPE}`).join(' OR ')})`);
      params.push(...columns.map(() => likePattern(search, 'contains')));
    }
    return { where, params };
  }

  /** Inserts people; `ignoreConflicts` leaves out rows a unique index refuses (a concurrent first identification). */
  async insert(tx: EntityManager, people: readonly PersonEntity[], ignoreConflicts = false): Promise<void> {
    if (people.length === 0) return;
    const columns = ['id', 'workspace_id', 'email', 'email_normalized', 'first_name', 'last_name', 'company', 'score'];
    const verb = ignoreConflicts ? (isMysql(tx) ? 'INSERT IGNORE' : 'INSERT OR IGNORE') : 'INSERT';
    await tx.query(
      `${verb} INTO person (${columns.join(', ')}, created_at, updated_at) VALUES ${people.map(() => `(${placeholders(columns.length + 2)})`).join(', ')}`,
      people.flatMap((p) => [
        p.id,
        p.workspaceId,
        p.email,
        p.emailNormalized,
        p.firstName,
        p.lastName,
        p.company,
        p.score,
        p.createdAt.getTime(),
        p.updatedAt.getTime(),
      ]),
    );
  }

  async update(tx: EntityManager, id: string, fields: PersonFields, now: Date): Promise<void> {
    const names = Object.keys(fields) as Array<keyof PersonFields>;
    if (names.length === 0) return;
    const column: Record<keyof PersonFields, string> = {
      firstName: 'first_name',
      lastName: 'last_name',
      company: 'company',
    };
    await tx.query(
      `UPDATE person SET ${names.map((name) => `${column[name]} = ?`).join(', ')}, updated_at = ? WHERE id = ?`,
      [...names.map((name) => fields[name] ?? null), now.getTime(), id],
    );
  }

  async addScore(tx: EntityManager, id: string, delta: number, now: Date): Promise<void> {
    await tx.query('UPDATE person SET score = score + ?, updated_at = ? WHERE id = ?', [delta, now.getTime(), id]);
  }

  async delete(tx: EntityManager, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await tx.query(`DELETE FROM person WHERE id IN (${placeholders(ids.length)})`, ids);
  }

  /**
   * Locks these people's rows until the transaction ends (MySQL/MariaDB), in
   * id order so that concurrent transactions queue instead of deadlocking.
   */
  async lockForUpdate(tx: EntityManager, ids: readonly string[]): Promise<void> {
    const people = [...new Set(ids)].sort();
    if (people.length === 0 || !isMysql(tx)) return;
    await tx.query(`SELECT id FROM person WHERE id IN (${placeholders(people.length)}) ORDER BY id FOR UPDATE`, people);
  }

  // ------------------------------------------------------------ visitors

  /** Visitor id → person id, for the visitors that exist. */
  async findVisitors(db: Db, workspaceId: string, visitorIds: readonly string[]): Promise<Map<string, string>> {
    if (visitorIds.length === 0) return new Map();
    const rows = await db.query<Array<{ visitor_id: string; person_id: string }>>(
      `SELECT visitor_id, person_id FROM visitor WHERE workspace_id = ? AND visitor_id IN (${placeholders(visitorIds.length)})`,
      [workspaceId, ...visitorIds],
    );
    return new Map(rows.map((row) => [row.visitor_id, row.person_id]));
  }

  /** Inserts visitor rows; one that already exists (a concurrent first call) is left as it is. */
  async insertVisitorsIgnore(
    tx: EntityManager,
    workspaceId: string,
    visitors: ReadonlyArray<{ visitorId: string; personId: string }>,
    now: Date,
  ): Promise<void> {
    if (visitors.length === 0) return;
    await tx.query(
      `${isMysql(tx) ? 'INSERT IGNORE' : 'INSERT OR IGNORE'} INTO visitor (workspace_id, visitor_id, person_id, created_at, updated_at) VALUES ${visitors.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
      visitors.flatMap((v) => [workspaceId, v.visitorId, v.personId, now.getTime(), now.getTime()]),
    );
  }

  async moveVisitor(
    tx: EntityManager,
    workspaceId: string,
    visitorId: string,
    personId: string,
    now: Date,
  ): Promise<void> {
    await tx.query('UPDATE visitor SET person_id = ?, updated_at = ? WHERE workspace_id = ? AND visitor_id = ?', [
      personId,
      now.getTime(),
      workspaceId,
      visitorId,
    ]);
  }

  async moveAllVisitors(tx: EntityManager, workspaceId: string, from: string, to: string, now: Date): Promise<void> {
    await tx.query('UPDATE visitor SET person_id = ?, updated_at = ? WHERE workspace_id = ? AND person_id = ?', [
      to,
      now.getTime(),
      workspaceId,
      from,
    ]);
  }

  /** Batch load for DataLoaders: visitor ids per person, oldest first. */
  async visitorIdsOf(workspaceId: string, personIds: readonly string[]): Promise<string[][]> {
    const rows = await this.dataSource.query<Array<{ person_id: string; visitor_id: string }>>(
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
}
