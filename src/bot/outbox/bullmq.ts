import { DelayedError, Job as BullJob, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { redisConnection } from '../bullmq.js';
import type { Platform, Transport } from '../context.js';
import { Reason } from '../deliveries/reasons.js';
import { deliverEntry, heldUntil, logOutcome, settleOrphan } from './deliver.js';
import { decodeEntry, encodeEntry, entryId, isPriority, newEntry, OUTBOX_KEEP_MS } from './entry.js';
import { Presence } from './presence.js';
import { ANY_ACCOUNT, type Outbox, type OutboxEntry, type OutboxOptions, type PushInput, type PushResult } from './types.js';

const KEEP_S = OUTBOX_KEEP_MS / 1000;
const STALLED = /stalled/i;
/** How often an entry waiting for an earlier one looks again. */
const AFTER_POLL_MS = 200;

/** `outbox-wechat-wxid_abc`: one BullMQ queue per platform account (queue names may not hold ':'). */
export function outboxQueueName(platform: Platform, account: string): string {
  return `outbox-${platform}-${account === ANY_ACCOUNT ? 'any' : encodeURIComponent(account).replaceAll('%', '~')}`;
}

/**
 * The outbox on Redis: a BullMQ queue per platform account, so any process can push while only the
 * process holding that login sends. The entry id (from the dedupe key) is the job id, and a once-key in
 * the store decides who created it. A sender that dies mid-send leaves a stalled job: BullMQ fails it
 * (never retries it), and the next owner sends it again only if it never reached the platform call.
 */
export class BullOutbox implements Outbox {
  private readonly connection: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly stops = new Set<() => Promise<void>>();
  private readonly presence: Presence;
  private readonly prefix: string;

  private readonly url: string;

  constructor(private readonly options: OutboxOptions) {
    const { tables } = options.store;
    if (tables.kind !== 'redis') throw new Error('the BullMQ outbox needs a Redis store');
    this.url = tables.url;
    this.prefix = `${tables.namespace}:bull`;
    this.connection = redisConnection(this.url, options.logger, 'producer');
    this.presence = new Presence(options.store);
  }

  private queue(platform: Platform, account: string): Queue {
    const name = outboxQueueName(platform, account);
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.prefix });
      queue.on('error', (err) => this.options.logger.warn({ err: err.message, queue: name }, 'outbox: queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  async push(input: PushInput): Promise<{ entry: OutboxEntry; created: boolean }> {
    const { store, now } = this.options;
    const account = input.account ?? input.after?.account ?? (await this.options.resolveAccount?.(input.platform, input.chat));
    const entry = newEntry(input, account, now());
    const queue = this.queue(entry.platform, entry.account);
    // The job id (from the dedupe key) keeps BullMQ from holding the entry twice; adding it again is a
    // no-op. The once-key, taken after, says which of several pushers was first.
    await queue.add('push', encodeEntry(entry), {
      jobId: entry.id,
      priority: isPriority(entry) ? 1 : 2,
      attempts: 1,
      removeOnComplete: { age: KEEP_S },
      removeOnFail: { age: KEEP_S },
    });
    const created = await store.setIfAbsent(`outbox-key:${entry.id}`, OUTBOX_KEEP_MS);
    // The entry as it is kept: the first push's, should a later one with the same key differ.
    const kept = await BullJob.fromId(queue, entry.id);
    return { entry: kept ? decodeEntry(kept.data as string) : entry, created };
  }

  async cancel(push: Pick<PushInput, 'platform' | 'account' | 'chat' | 'dedupeKey' | 'source'>): Promise<boolean> {
    const account = push.account ?? (await this.options.resolveAccount?.(push.platform, push.chat)) ?? ANY_ACCOUNT;
    const job = await BullJob.fromId(this.queue(push.platform, account), entryId(push.dedupeKey));
    if (!job || !['waiting', 'delayed', 'prioritized'].includes(await job.getState())) return false;
    try {
      await job.remove();
    } catch {
      return false; // its sender took it meanwhile
    }
    await logOutcome(decodeEntry(job.data as string), { status: 'dropped', reason: Reason.CANCELLED }, this.options);
    return true;
  }

  async result(entry: OutboxEntry, timeoutMs = 30_000): Promise<PushResult | undefined> {
    const queue = this.queue(entry.platform, entry.account);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await BullJob.fromId(queue, entry.id);
      if (!job) {
        // Taken back (cancelled) or long gone: the delivery log has how it ended.
        const ended = await this.options.store.tables.deliveries.get(entry.id);
        if (ended) return { status: ended.status, ...(ended.reason ? { reason: ended.reason } : {}) };
      }
      if (job?.finishedOn) {
        if (job.returnvalue) return job.returnvalue as PushResult;
        if (!STALLED.test(job.failedReason ?? '')) return { status: 'failed', reason: job.failedReason ?? 'failed' };
        // Its sender died: settled as uncertain (in the delivery log), or sent again and not ended yet.
        const settled = await this.options.store.tables.deliveries.get(entry.id);
        if (settled?.status === 'uncertain') return { status: 'uncertain', ...(settled.reason ? { reason: settled.reason } : {}) };
      }
      if (Date.now() >= deadline) return undefined;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** True when the entry has ended (or is not in the account's queue any more). */
  private async ended(platform: Platform, account: string, id: string): Promise<boolean> {
    const job = await BullJob.fromId(this.queue(platform, account), id);
    return !job || Boolean(job.finishedOn);
  }

  online(platform: Platform): Promise<boolean> {
    return this.presence.online(platform);
  }

  async serve(platform: Platform, account: string, transport: Transport): Promise<() => Promise<void>> {
    const { logger, now } = this.options;
    const log = logger.child({ platform, account });
    const deliver = { ...this.options, logger: log };
    const stopPresence = await this.presence.serve(platform);
    const workers: Worker[] = [];
    const connections: Redis[] = [];
    for (const name of new Set([outboxQueueName(platform, account), outboxQueueName(platform, ANY_ACCOUNT)])) {
      const connection = redisConnection(this.url, log, 'worker');
      connections.push(connection);
      const worker = new Worker(
        name,
        async (job, token) => {
          const entry = decodeEntry(job.data as string);
          if (entry.after && !(await this.ended(entry.platform, entry.account, entry.after))) {
            // Waits for the entry it follows, in the queue (another process may be sending that one).
            await job.moveToDelayed(Date.now() + AFTER_POLL_MS, token);
            throw new DelayedError();
          }
          const until = heldUntil(entry, transport, now());
          if (until > 0) {
            // Quiet hours: wait in the queue, not in this process, so nothing is held in memory. BullMQ
            // reads the time on the real clock; `until` is on the app's.
            await job.moveToDelayed(Date.now() + (until - now()), token);
            throw new DelayedError();
          }
          return deliverEntry(entry, transport, deliver);
        },
        {
          connection,
          prefix: this.prefix,
          concurrency: this.options.inFlight ?? 4,
          maxStalledCount: 0,
          lockDuration: this.options.lockMs ?? 30_000,
          stalledInterval: this.options.stalledCheckMs ?? 15_000,
        },
      );
      worker.on('error', (err) => log.warn({ err: err.message, queue: name }, 'outbox: worker error'));
      worker.on('failed', (job, err) => {
        if (!job || !STALLED.test(err.message)) return;
        const entry = decodeEntry(job.data as string);
        void settleOrphan(entry, deliver)
          .then(async (settled) => {
            log.warn({ entry: entry.id, source: entry.source, retried: settled.retry }, 'outbox: settled an entry whose process died mid-send');
            if (settled.retry) await job.retry('failed');
          })
          .catch((e: unknown) => log.error({ err: e, entry: entry.id }, 'outbox: an orphaned entry could not be settled'));
      });
      workers.push(worker);
    }
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    const stop = async () => {
      // Close waits for what is being sent; what waits in Redis stays there for the next owner.
      await Promise.all(workers.map((w) => w.close()));
      for (const c of connections) c.disconnect();
      await stopPresence();
      this.stops.delete(stop);
    };
    this.stops.add(stop);
    return stop;
  }

  async close(): Promise<void> {
    await Promise.all([...this.stops].map((stop) => stop()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.connection.disconnect();
  }
}
