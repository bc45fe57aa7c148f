import { randomBytes } from 'node:crypto';
import { within } from '../../kernel/timeout.js';
import type { SqliteTables } from '../store/index.js';
import type { JobRow } from '../store/sqlite-jobs.js';
import { defaultDeadline, runClaimed } from './runner.js';
import type { HandlerOptions, Job, JobHandler, JobQuery, JobSpec, JobState, Scheduler, SchedulerOptions } from './types.js';

/** Jobs claimed by one statement. */
const CLAIM_BATCH = 20;
/**
 * Jobs one process runs at once: past this it claims no more until half have ended, so a backlog is
 * shared with the other processes, and a process that dies leaves at most this many interrupted.
 */
const MAX_RUNNING = 100;

function toJob(r: JobRow): Job {
  return {
    id: r.id,
    kind: r.kind,
    at: new Date(r.at).toISOString(),
    deadline: new Date(r.deadline).toISOString(),
    payload: JSON.parse(r.payload) as unknown,
    state: r.state as JobState,
    ...(r.reason ? { reason: r.reason } : {}),
    updatedAt: new Date(r.updated).toISOString(),
  };
}

/**
 * The scheduler on the SQLite file: every process polls, and claims due jobs with one UPDATE … RETURNING,
 * so each job runs in exactly one of them. Processes beat a heartbeat; a running job whose process
 * stopped beating is interrupted (never rerun) and reported.
 */
export class SqliteScheduler implements Scheduler {
  readonly kind = 'sqlite';
  readonly owner: string;
  private readonly handlers = new Map<string, JobHandler>();
  private readonly rerunnable = new Set<string>();
  private readonly running = new Set<Promise<unknown>>();
  /** A round found MAX_RUNNING jobs running and claimed nothing. */
  private saturated = false;
  private timer?: NodeJS.Timeout;
  private beating?: NodeJS.Timeout;
  private started = false;
  private closed = false;
  private ticking?: Promise<Promise<void>[]>;

  private readonly tables: SqliteTables;

  constructor(private readonly options: SchedulerOptions) {
    if (options.store.tables.kind !== 'sqlite') throw new Error('the SQLite scheduler needs a SQLite store');
    this.tables = options.store.tables;
    this.owner = options.owner ?? `p${process.pid}-${randomBytes(3).toString('hex')}`;
  }

  private get jobs() {
    return this.tables.jobs;
  }

  async schedule<P>(spec: JobSpec<P>): Promise<Job<P>> {
    const at = spec.at.getTime();
    const row = await this.jobs.insert({
      id: spec.id,
      kind: spec.kind,
      at,
      deadline: (spec.deadline ?? defaultDeadline(spec.at)).getTime(),
      payload: JSON.stringify(spec.payload ?? null),
    });
    this.kickSoon();
    return toJob(row) as Job<P>;
  }

  async scheduleAll(specs: readonly JobSpec[]): Promise<void> {
    await this.jobs.insertAll(
      specs.map((spec) => ({ id: spec.id, kind: spec.kind, at: spec.at.getTime(), deadline: (spec.deadline ?? defaultDeadline(spec.at)).getTime(), payload: JSON.stringify(spec.payload ?? null) })),
    );
    this.kickSoon();
  }

  cancel(id: string): Promise<boolean> {
    return this.jobs.cancel(id, this.options.prompts.render('scheduler/reason-cancelled'));
  }

  async reschedule(id: string, at: Date, deadline?: Date): Promise<boolean> {
    const moved = await this.jobs.reschedule(id, at.getTime(), (deadline ?? defaultDeadline(at)).getTime());
    if (moved) this.kickSoon();
    return moved;
  }

  async get(id: string): Promise<Job | undefined> {
    const row = await this.jobs.get(id);
    return row ? toJob(row) : undefined;
  }

  async list(query: JobQuery = {}): Promise<Job[]> {
    // `updated` is bookkeeping on the store's own (real) clock.
    return (await this.jobs.list(query.limit ?? 200, Date.now() - 7 * 24 * 3600_000)).map(toJob);
  }

  handle(kind: string, handler: JobHandler, options: HandlerOptions = {}): void {
    if (this.handlers.has(kind)) throw new Error(`a handler for jobs of kind "${kind}" is already registered`);
    this.handlers.set(kind, handler);
    if (options.rerunnable) this.rerunnable.add(kind);
  }

  /** Starts polling: the first round runs at once (the catch-up of what came due while nothing ran). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.beat();
    // The heartbeat keeps its own beat, so a slow round never makes this process look dead.
    this.beating = setInterval(() => void this.beat(), this.options.beatMs ?? 5_000);
    this.beating.unref();
    // The catch-up of what came due while nothing ran: claimed and started now, not waited for.
    await this.round();
    this.schedulePoll();
  }

  /** Says this process is alive, and settles the jobs of processes that are not. */
  private async beat(): Promise<void> {
    const { tables } = this;
    const { prompts, reporter, logger } = this.options;
    try {
      await tables.processes.beat(this.owner);
      const reasons = { interrupted: prompts.render('scheduler/reason-interrupted'), resumed: prompts.render('scheduler/reason-resumed') };
      for (const row of await this.jobs.interruptOrphans(reasons, this.options.staleMs, [...this.rerunnable])) {
        if (row.state === 'pending') {
          logger.warn({ job: row.id, kind: row.kind }, 'job resumed: its process died while running it; it runs once more');
          continue;
        }
        logger.warn({ job: row.id, kind: row.kind }, 'job interrupted: its process died after claiming it');
        reporter?.add({ kind: 'job-interrupted', what: row.id, reason: row.reason ?? '' });
      }
    } catch (err) {
      logger.error({ err }, 'scheduler: heartbeat failed');
    }
  }

  private schedulePoll(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.round()
        .catch((err: unknown) => this.options.logger.error({ err }, 'scheduler: a round failed; trying again'))
        .finally(() => this.schedulePoll());
    }, this.options.pollMs ?? 1_000);
    this.timer.unref();
  }

  /** A job was added or moved in this process: look at once (the one poll chain goes on as it was). */
  private kickSoon(): void {
    if (!this.started || this.closed) return;
    void this.round().catch((err: unknown) => this.options.logger.error({ err }, 'scheduler: a round failed; the next poll tries again'));
  }

  /** One round now, waiting for the jobs it started (tests drive time with it): how many it claimed. */
  async tick(): Promise<number> {
    await this.beat();
    const started = await this.round();
    await Promise.all(started);
    return started.length;
  }

  /**
   * Claims what is due and starts it; a round never waits for the jobs (a slow one holds up no other).
   * A full batch means more may be due: the next round follows at once rather than a poll later, so a
   * backlog (a thousand reminders at 20:00) is claimed at the store's pace, not 20 a poll.
   */
  private round(): Promise<Promise<void>[]> {
    let full = false;
    this.ticking ??= (async () => {
      if (this.closed) return [];
      const room = Math.min(CLAIM_BATCH, MAX_RUNNING - this.running.size);
      if (room <= 0) {
        this.saturated = true;
        return [];
      }
      const claimed = await this.jobs.claimDue(this.owner, this.options.now(), room);
      full = claimed.length === room;
      return claimed.map((row) => this.track(this.run(toJob(row))));
    })().finally(() => {
      this.ticking = undefined;
      if (full) this.kickSoon();
    });
    return this.ticking;
  }

  private async run(job: Job): Promise<void> {
    const outcome = await runClaimed(job, { ...this.options, handlers: this.handlers });
    await this.jobs.finish(job.id, this.owner, outcome.state, outcome.reason ?? null);
  }

  private track(task: Promise<void>): Promise<void> {
    const tracked = task.catch((err: unknown) => this.options.logger.error({ err }, 'scheduler: a job could not be recorded'));
    this.running.add(tracked);
    void tracked.finally(() => {
      this.running.delete(tracked);
      // Held back at the cap: claim again once half the room is free, not a poll later.
      if (this.saturated && this.running.size <= MAX_RUNNING / 2) {
        this.saturated = false;
        this.kickSoon();
      }
    });
    return tracked;
  }

  /** Stops polling, waits up to `graceMs` for running jobs, and says goodbye (the file stays open: the store owns it). */
  async close(graceMs = 10_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.beating);
    await this.ticking?.catch(() => {});
    await within(Promise.all([...this.running]), graceMs, undefined);
    // A job still running is left claimed: the next process to beat reports it interrupted.
    if (this.running.size === 0 && this.started) await this.tables.processes.gone(this.owner).catch(() => {});
  }
}
