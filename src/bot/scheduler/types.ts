import type { Logger } from '../../kernel/logger.js';
import type { Prompts } from '../../kernel/prompts.js';
import type { Reporter } from '../reports.js';
import type { Store } from '../store/index.js';

/**
 * pending: waiting for its time; running: a process has claimed it; done; skipped: not run, with the
 * reason (its deadline passed, or it came due too long ago); interrupted: its process died after
 * claiming it, so it is never run again (unless its kind is `rerunnable`: then it runs once more);
 * cancelled; failed: its handler threw.
 */
export type JobState = 'pending' | 'running' | 'done' | 'skipped' | 'interrupted' | 'cancelled' | 'failed';

export const JOB_STATES: readonly JobState[] = ['pending', 'running', 'done', 'skipped', 'interrupted', 'cancelled', 'failed'];

/** A job that came due while no process ran is still run this late, no later. */
export const CATCH_UP_MS = 10 * 60_000;

export interface JobSpec<P = unknown> {
  /** The job's identity: scheduling the same id again keeps the one job. */
  readonly id: string;
  /** Which handler runs it (registered by a plugin). */
  readonly kind: string;
  readonly at: Date;
  /** Worthless after this: skipped, never run late. Default `at` plus the 10-minute catch-up window. */
  readonly deadline?: Date;
  readonly payload?: P;
}

/** A job as the store keeps it. */
export interface Job<P = unknown> {
  readonly id: string;
  readonly kind: string;
  /** ISO times. */
  readonly at: string;
  readonly deadline: string;
  readonly payload: P;
  readonly state: JobState;
  readonly reason?: string;
  readonly updatedAt?: string;
}

export interface JobContext {
  /** Bound to `{ job, kind }`. */
  readonly logger: Logger;
  /** How late it runs, in ms (0 or more). */
  readonly lateMs: number;
}

/** Runs one job; may return a note kept as its reason. A throw marks it failed (and tells the operators). */
export type JobHandler<P = unknown> = (job: Job<P>, ctx: JobContext) => Promise<void | { readonly note?: string }>;

export interface HandlerOptions {
  /**
   * Running the job twice does no harm (its effects are deduped: outbox pushes with dedupe keys). A run
   * whose process died is then run once more, under the same deadline and catch-up rules, instead of
   * being left interrupted; a second death leaves it interrupted and reported.
   */
  readonly rerunnable?: boolean;
}

export interface JobQuery {
  /** At most this many. Default 200. */
  readonly limit?: number;
}

/**
 * Durable jobs in the shop's store: each runs once across every process sharing it (SQLite: one
 * atomic claim; Redis: BullMQ). A job due while no process ran runs at start if it is before its
 * deadline and less than 10 minutes late, else it is skipped with the reason; a job whose process died
 * after claiming it becomes interrupted and is never run twice (a `rerunnable` kind's runs once more).
 */
export interface Scheduler {
  readonly kind: 'sqlite' | 'redis';
  /** Adds a job; the same id again is a no-op that returns the job as it is (a cancelled one is revived). */
  schedule<P>(spec: JobSpec<P>): Promise<Job<P>>;
  /**
   * Adds several jobs in one step (one statement on SQLite, one MULTI on Redis): a process killed while
   * scheduling a push to many groups leaves all of them or none, never the first few (the rest lost
   * without a trace). Ids already there are no-ops, as with `schedule`.
   */
  scheduleAll(specs: readonly JobSpec[]): Promise<void>;
  /** Cancels a pending job; false when there is none (already run, running or unknown). */
  cancel(id: string): Promise<boolean>;
  /** Moves a pending job to a new time (and deadline); false when there is none pending. */
  reschedule(id: string, at: Date, deadline?: Date): Promise<boolean>;
  get(id: string): Promise<Job | undefined>;
  /** Pending and running jobs, then the most recent others, soonest first. */
  list(query?: JobQuery): Promise<Job[]>;
  /** Registers the handler of a job kind (before start). */
  handle(kind: string, handler: JobHandler, options?: HandlerOptions): void;
  /** Starts running due jobs in this process (catch-up first). */
  start(): Promise<void>;
  /** Stops taking jobs and waits for the running ones (bounded); closes connections. */
  close(): Promise<void>;
}

/** What every scheduler is built from; the timing knobs default to production values. */
export interface SchedulerOptions {
  /** The backend: the SQLite file's jobs table, or BullMQ on the store's Redis (and once-markers). */
  readonly store: Store;
  readonly prompts: Prompts;
  readonly logger: Logger;
  readonly tz: string;
  /** The app's clock: due times and deadlines are read on it. */
  readonly now: () => number;
  readonly reporter?: Reporter;
  /** This process's name in claims and heartbeats; random by default. */
  readonly owner?: string;
  /** SQLite: how often due jobs are looked for (default 1 s); how often a process beats (5 s); how old a beat means dead (15 s). */
  readonly pollMs?: number;
  readonly beatMs?: number;
  readonly staleMs?: number;
  /** Redis: a worker's lock on a job (a job whose lock lapses is interrupted; default 30 s), and how often lapsed locks are looked for (15 s). */
  readonly lockMs?: number;
  readonly stalledCheckMs?: number;
  readonly concurrency?: number;
}
