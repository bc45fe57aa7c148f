import { Queue, Worker, type Job as BullJob, type JobState as BullState } from 'bullmq';
import type { Redis } from 'ioredis';
import { within } from '../../kernel/timeout.js';
import { redisConnection } from '../bullmq.js';
import { defaultDeadline, runClaimed, type RunOutcome } from './runner.js';
import type { HandlerOptions, Job, JobHandler, JobQuery, JobSpec, JobState, Scheduler, SchedulerOptions } from './types.js';

interface JobData {
  readonly id: string;
  readonly kind: string;
  readonly at: number;
  readonly deadline: number;
  readonly payload: unknown;
  /** Set when a rerunnable job was put back after its process died: a second death leaves it interrupted. */
  readonly resumed?: boolean;
}

const KEEP_S = 30 * 24 * 3600;
const PENDING: readonly BullState[] = ['waiting', 'delayed', 'prioritized', 'waiting-children'];
/** BullMQ refuses custom ids with ':' (and integers): ours are `live:42:reminder:10m`. */
export const bullJobId = (id: string) => `j=${id.replaceAll('%', '%25').replaceAll(':', '%3A')}`;
const STALLED = /stalled/i;

/**
 * The scheduler on Redis: BullMQ delayed jobs (the job id is the dedupe key) and a worker in each
 * process. A job is never run twice: BullMQ does not retry a stalled job (`maxStalledCount: 0`, it is
 * failed and reported interrupted), and a once-marker in the store is taken before the handler runs.
 * A rerunnable kind's stalled job is put back once instead: its marker dropped, flagged `resumed`.
 */
export class BullScheduler implements Scheduler {
  readonly kind = 'redis';
  private readonly handlers = new Map<string, JobHandler>();
  private readonly rerunnable = new Set<string>();
  private readonly connection: Redis;
  private readonly queue: Queue;
  private worker?: Worker;
  private workerConnection?: Redis;
  private readonly prefix: string;

  private readonly url: string;

  constructor(private readonly options: SchedulerOptions) {
    const { tables } = options.store;
    if (tables.kind !== 'redis') throw new Error('the BullMQ scheduler needs a Redis store');
    this.url = tables.url;
    this.prefix = `${tables.namespace}:bull`;
    this.connection = redisConnection(this.url, options.logger, 'producer');
    this.queue = new Queue('jobs', { connection: this.connection, prefix: this.prefix });
    this.queue.on('error', (err) => options.logger.warn({ err: err.message }, 'scheduler: queue error'));
  }

  private cancelledKey(id: string): string {
    return `job-cancelled:${id}`;
  }

  async schedule<P>(spec: JobSpec<P>): Promise<Job<P>> {
    const existing = await this.queue.getJob(bullJobId(spec.id));
    if (existing) return (await this.toJob(existing)) as Job<P>;
    // A cancelled job scheduled again is revived.
    await this.options.store.delete(this.cancelledKey(spec.id));
    const data: JobData = {
      id: spec.id,
      kind: spec.kind,
      at: spec.at.getTime(),
      deadline: (spec.deadline ?? defaultDeadline(spec.at)).getTime(),
      payload: spec.payload ?? null,
    };
    const added = await this.queue.add(spec.kind, data, {
      jobId: bullJobId(spec.id),
      delay: Math.max(0, data.at - this.options.now()),
      attempts: 1,
      removeOnComplete: { age: KEEP_S },
      removeOnFail: { age: KEEP_S },
    });
    // Another process may have added it a moment before: report the job as it is.
    const stored = await this.queue.getJob(added.id!);
    return (await this.toJob(stored ?? added)) as Job<P>;
  }

  async scheduleAll(specs: readonly JobSpec[]): Promise<void> {
    // A cancelled job scheduled again is revived. All at once: one round trip for the lot, not one each.
    await Promise.all(specs.map((spec) => this.options.store.delete(this.cancelledKey(spec.id))));
    // addBulk is one MULTI: every job or none; an id already there stays as it is.
    await this.queue.addBulk(
      specs.map((spec) => {
        const data: JobData = { id: spec.id, kind: spec.kind, at: spec.at.getTime(), deadline: (spec.deadline ?? defaultDeadline(spec.at)).getTime(), payload: spec.payload ?? null };
        return { name: spec.kind, data, opts: { jobId: bullJobId(spec.id), delay: Math.max(0, data.at - this.options.now()), attempts: 1, removeOnComplete: { age: KEEP_S }, removeOnFail: { age: KEEP_S } } };
      }),
    );
  }

  /** The job if it is still waiting and could be taken out (a running job is locked). */
  private async removePending(id: string): Promise<JobData | undefined> {
    const job = await this.queue.getJob(bullJobId(id));
    if (!job || !PENDING.includes((await job.getState()) as BullState)) return undefined;
    try {
      await job.remove();
    } catch {
      return undefined; // a worker took it meanwhile
    }
    return job.data as JobData;
  }

  async cancel(id: string): Promise<boolean> {
    const data = await this.removePending(id);
    if (!data) return false;
    const job: Job = { ...this.fromData(data, 'cancelled'), reason: this.options.prompts.render('scheduler/reason-cancelled'), updatedAt: new Date(this.options.now()).toISOString() };
    await this.options.store.set(this.cancelledKey(id), job, KEEP_S * 1000);
    return true;
  }

  async reschedule(id: string, at: Date, deadline?: Date): Promise<boolean> {
    const data = await this.removePending(id);
    if (!data) return false;
    await this.schedule({ id, kind: data.kind, at, deadline: deadline ?? defaultDeadline(at), payload: data.payload });
    return true;
  }

  async get(id: string): Promise<Job | undefined> {
    const job = await this.queue.getJob(bullJobId(id));
    if (job) return this.toJob(job);
    return this.options.store.get<Job>(this.cancelledKey(id));
  }

  async list(query: JobQuery = {}): Promise<Job[]> {
    const limit = query.limit ?? 200;
    // Pending and running ones first when there are more than `limit`, the newest of the rest after; shown soonest first.
    const open: Job[] = [];
    for (const type of ['active', ...PENDING] as const) {
      for (const job of await this.queue.getJobs(type, 0, limit - 1, true)) open.push(this.toJobIn(job, type));
    }
    const ended: Job[] = [];
    for (const type of ['completed', 'failed'] as const) {
      for (const job of await this.queue.getJobs(type, 0, limit - 1, false)) ended.push(this.toJobIn(job, type));
    }
    for (const [, job] of await this.options.store.list<Job>('job-cancelled:')) ended.push(job);
    ended.sort((a, b) => (b.updatedAt ?? '').localeCompare(a.updatedAt ?? ''));
    return [...open, ...ended].slice(0, limit).sort((a, b) => a.at.localeCompare(b.at));
  }

  handle(kind: string, handler: JobHandler, options: HandlerOptions = {}): void {
    if (this.handlers.has(kind)) throw new Error(`a handler for jobs of kind "${kind}" is already registered`);
    this.handlers.set(kind, handler);
    if (options.rerunnable) this.rerunnable.add(kind);
  }

  async start(): Promise<void> {
    if (this.worker) return;
    const { logger, reporter, prompts } = this.options;
    const connection = redisConnection(this.url, logger, 'worker');
    this.workerConnection = connection;
    this.worker = new Worker('jobs', (job) => this.process(job), {
      connection,
      prefix: this.prefix,
      concurrency: this.options.concurrency ?? 10,
      maxStalledCount: 0,
      lockDuration: this.options.lockMs ?? 30_000,
      stalledInterval: this.options.stalledCheckMs ?? 15_000,
    });
    this.worker.on('error', (err) => logger.warn({ err: err.message }, 'scheduler: worker error'));
    this.worker.on('failed', (job, err) => {
      if (!job || !STALLED.test(err.message)) return;
      void this.afterStall(job).then((resumed) => {
        const data = job.data as JobData;
        if (resumed) return void logger.warn({ job: data.id, kind: data.kind }, 'job resumed: its process died while running it; it runs once more');
        logger.warn({ job: data.id, kind: data.kind }, 'job interrupted: its process died after claiming it');
        reporter?.add({ kind: 'job-interrupted', what: data.id, reason: prompts.render('scheduler/reason-interrupted') });
      });
    });
    await this.worker.waitUntilReady();
  }

  /** A stalled job of a rerunnable kind, not resumed before, goes back to wait once; true when it did. */
  private async afterStall(job: BullJob): Promise<boolean> {
    const data = job.data as JobData;
    if (!this.rerunnable.has(data.kind) || data.resumed) return false;
    try {
      await job.updateData({ ...data, resumed: true });
      await this.options.store.release(`job-run:${data.id}`);
      await job.retry('failed');
      return true;
    } catch (err) {
      this.options.logger.error({ err, job: data.id }, 'scheduler: a stalled job could not be put back');
      return false;
    }
  }

  private async process(job: BullJob): Promise<RunOutcome> {
    const data = job.data as JobData;
    // At most once: should BullMQ ever hand the job out again, the marker says it was started before.
    if (!(await this.options.store.setIfAbsent(`job-run:${data.id}`, KEEP_S * 1000))) {
      return { state: 'interrupted', reason: this.options.prompts.render('scheduler/reason-interrupted') };
    }
    return runClaimed(this.fromData(data, 'running'), { ...this.options, handlers: this.handlers });
  }

  private fromData(data: JobData, state: JobState): Job {
    return { id: data.id, kind: data.kind, at: new Date(data.at).toISOString(), deadline: new Date(data.deadline).toISOString(), payload: data.payload, state };
  }

  private async toJob(job: BullJob): Promise<Job> {
    return this.toJobIn(job, (await job.getState()) as BullState);
  }

  private toJobIn(job: BullJob, type: BullState | 'unknown'): Job {
    const data = job.data as JobData;
    const updatedAt = new Date(job.finishedOn ?? job.processedOn ?? job.timestamp).toISOString();
    if (type === 'completed') {
      const outcome = job.returnvalue as RunOutcome | undefined;
      return { ...this.fromData(data, outcome?.state ?? 'done'), ...(outcome?.reason ? { reason: outcome.reason } : {}), updatedAt };
    }
    if (type === 'failed') {
      const interrupted = STALLED.test(job.failedReason ?? '');
      const reason = interrupted ? this.options.prompts.render('scheduler/reason-interrupted') : job.failedReason;
      return { ...this.fromData(data, interrupted ? 'interrupted' : 'failed'), ...(reason ? { reason } : {}), updatedAt };
    }
    return { ...this.fromData(data, type === 'active' ? 'running' : 'pending'), updatedAt };
  }

  private closing?: Promise<void>;

  /** Stops the worker (waiting up to `graceMs` for running jobs) and closes the connections; again is a no-op. */
  close(graceMs = 10_000): Promise<void> {
    this.closing ??= (async () => {
      const worker = this.worker;
      if (worker) {
        // pause() takes no more jobs and waits for the running ones; close() alone cannot be cut short.
        const timedOut = await within(worker.pause().then(() => false), graceMs, true);
        // Still running after the grace: its lock lapses and it is reported interrupted, never rerun.
        await worker.close(timedOut);
      }
      await this.queue.close();
      this.workerConnection?.disconnect();
      this.connection.disconnect();
    })();
    return this.closing;
  }
}
