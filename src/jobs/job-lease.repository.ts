import type { DataSource } from 'typeorm';
import { insertOrIgnore } from '../db/sql';
import { JobLeaseEntity } from './job-lease.entity';

/**
 * Leases of periodic jobs, taken the way the delivery worker claims rows: one
 * atomic UPDATE whose condition decides, so of several instances asking at
 * once exactly one gets it, on MySQL/MariaDB (the row lock serializes the
 * UPDATEs, each re-reading the row) and on SQLite (one writer at a time).
 * Affected rows are matched rows on both (mysql2 connects with FOUND_ROWS).
 */
export class JobLeaseRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes `name` for `owner` until `until` if the lease expired; false when
   * anyone (`owner` included) holds it. The row is created, expired, the
   * first time, by an insert that loses quietly to a concurrent one.
   */
  async acquire(name: string, owner: string, now: number, until: number): Promise<boolean> {
    await this.dataSource.query(
      `${insertOrIgnore(this.dataSource)} INTO job_lease (name, owner, lease_until) VALUES (?, '', 0)`,
      [name],
    );
    return this.update({ owner, leaseUntil: until }, 'name = :name AND lease_until < :now', { name, now });
  }

  /** Keeps the lease at least until `until`, if `owner` still holds it (false: it was lost, stop). */
  async extend(name: string, owner: string, until: number): Promise<boolean> {
    return this.update(
      { leaseUntil: () => 'CASE WHEN lease_until < :until THEN :until ELSE lease_until END' },
      'name = :name AND owner = :owner',
      { name, owner, until },
    );
  }

  async get(name: string): Promise<JobLeaseEntity | null> {
    return this.dataSource.getRepository(JobLeaseEntity).findOneBy({ name });
  }

  private async update(
    set: Record<string, unknown>,
    where: string,
    params: Record<string, string | number>,
  ): Promise<boolean> {
    const { affected } = await this.dataSource
      .createQueryBuilder()
      .update(JobLeaseEntity)
      .set(set)
      .where(where, params)
      .execute();
    return (affected ?? 0) > 0;
  }
}
