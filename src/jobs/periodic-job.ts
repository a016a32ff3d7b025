import { randomUUID } from 'node:crypto';
import type { Logger } from '../shared/logger';
import type { JobLeaseRepository } from './job-lease.repository';

export interface PeriodicJobOptions {
  /** The lease's name: one per job, shared by every instance. */
  name: string;
  /** The job runs once per interval across all instances. */
  intervalMs: number;
  /** How often each instance checks whether the interval is over (default: a tenth of it, at most a minute). */
  checkMs?: number;
  /** Distinguishes instances in the lease row (default: a random id). */
  owner?: string;
}

/** What a run may ask while it works: whether this instance still holds the lease (extending it), before each step. */
export type StillHeld = () => Promise<boolean>;

/**
 * A job that runs once per interval across every instance on the database:
 * each instance checks every `checkMs` and the first to find the last
 * interval's lease expired takes it for the next interval and runs the job.
 * The others find it held and wait. A run that goes on past its interval
 * extends the lease as it goes (`stillHeld`), so no other instance starts
 * meanwhile; an instance that dies mid-run lets the lease expire and
 * another takes over at the next interval.
 */
export class PeriodicJob {
  readonly owner: string;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly leases: JobLeaseRepository,
    private readonly options: PeriodicJobOptions,
    private readonly job: (stillHeld: StillHeld) => Promise<void>,
    private readonly log: Logger,
  ) {
    this.owner = options.owner ?? randomUUID();
  }

  private get checkMs(): number {
    return this.options.checkMs ?? Math.max(10, Math.min(60_000, Math.floor(this.options.intervalMs / 10)));
  }

  start(): void {
    if (this.timer || this.stopped) return;
    const tick = () => {
      const run = this.tick().then(() => undefined);
      this.running = run;
      void run.finally(() => {
        if (this.running === run) this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(tick, this.checkMs).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  /** Stops checking; a run under way finishes its current step first. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One check: takes the lease if the interval is over and runs the job; true when it ran. */
  async tick(): Promise<boolean> {
    const { name, intervalMs } = this.options;
    let taken: boolean;
    try {
      const now = Date.now();
      taken = await this.leases.acquire(name, this.owner, now, now + intervalMs);
    } catch (err) {
      this.log.warn({ err, job: name }, 'could not check a periodic job lease');
      return false;
    }
    if (!taken) return false;
    const stillHeld: StillHeld = async () =>
      !this.stopped && (await this.leases.extend(name, this.owner, Date.now() + this.checkMs * 2));
    try {
      await this.job(stillHeld);
    } catch (err) {
      this.log.error({ err, job: name }, 'periodic job failed; it runs again next interval');
    }
    return true;
  }
}
