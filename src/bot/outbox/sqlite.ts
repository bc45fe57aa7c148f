import type { Platform, Transport } from '../context.js';
import type { SqliteTables } from '../store/index.js';
import { Reason } from '../deliveries/reasons.js';
import { deliverEntry, heldUntil, logOutcome, settleOrphan } from './deliver.js';
import { decodeEntry, encodeEntry, entryId, isPriority, newEntry } from './entry.js';
import { Presence } from './presence.js';
import { ANY_ACCOUNT, type Outbox, type OutboxEntry, type OutboxOptions, type PushInput, type PushResult } from './types.js';

const BEAT_MS = 5_000;

/**
 * The outbox in the SQLite file: any process pushes (a row, unique by dedupe key); the process that runs
 * the account takes one row at a time with an atomic UPDATE … RETURNING and sends it through its paced
 * queue. Entries of a process that died mid-send are settled by the next owner: sent again only if they
 * never reached the platform call.
 */
export class SqliteOutbox implements Outbox {
  private readonly wakers = new Map<Platform, Set<() => void>>();
  private readonly stops = new Set<() => Promise<void>>();
  private readonly presence: Presence;

  private readonly tables: SqliteTables;

  constructor(private readonly options: OutboxOptions) {
    if (options.store.tables.kind !== 'sqlite') throw new Error('the SQLite outbox needs a SQLite store');
    this.tables = options.store.tables;
    this.presence = new Presence(options.store);
  }

  async push(input: PushInput): Promise<{ entry: OutboxEntry; created: boolean }> {
    const account = input.account ?? input.after?.account ?? (await this.options.resolveAccount?.(input.platform, input.chat));
    const entry = newEntry(input, account, this.options.now());
    const { row, created } = await this.tables.outbox.enqueue({
      id: entry.id,
      dedupeKey: entry.dedupeKey,
      platform: entry.platform,
      account: entry.account,
      entry: encodeEntry(entry),
      priority: isPriority(entry) ? 1 : 0,
    });
    if (created) for (const wake of this.wakers.get(entry.platform) ?? []) wake();
    return { entry: decodeEntry(row.entry), created };
  }

  async cancel(push: Pick<PushInput, 'platform' | 'account' | 'chat' | 'dedupeKey' | 'source'>): Promise<boolean> {
    const result: PushResult = { status: 'dropped', reason: Reason.CANCELLED };
    const row = await this.tables.outbox.cancelQueued(entryId(push.dedupeKey), JSON.stringify(result));
    if (!row) return false;
    await logOutcome(decodeEntry(row.entry), result, this.options);
    return true;
  }

  async result(entry: OutboxEntry, timeoutMs = 30_000): Promise<PushResult | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await this.tables.outbox.get(entry.id);
      if (row?.state === 'done' && row.result) return JSON.parse(row.result) as PushResult;
      if (Date.now() >= deadline) return undefined;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  online(platform: Platform): Promise<boolean> {
    return this.presence.online(platform);
  }

  async serve(platform: Platform, account: string, transport: Transport): Promise<() => Promise<void>> {
    const { tables } = this;
    const { owner, logger, now } = this.options;
    const log = logger.child({ platform, account });
    const accounts = [...new Set([account, ANY_ACCOUNT])];
    const deliver = { ...this.options, logger: log };
    const inFlight = new Set<Promise<void>>();
    let stopped = false;
    let wake: () => void = () => {};
    const wakers = this.wakers.get(platform) ?? new Set();
    this.wakers.set(platform, wakers);
    const waker = () => wake();
    wakers.add(waker);
    const stopPresence = await this.presence.serve(platform);
    let lastBeat = -Infinity;

    const settleOrphans = async () => {
      await tables.processes.beat(owner);
      for (const row of await tables.outbox.adoptOrphans(owner, platform, accounts, this.options.staleMs)) {
        const entry = decodeEntry(row.entry);
        const settled = await settleOrphan(entry, deliver);
        if (settled.retry) await tables.outbox.defer(entry.id, owner, 0);
        else await tables.outbox.finish(entry.id, JSON.stringify(settled.result));
        log.warn({ entry: entry.id, source: entry.source, retried: settled.retry }, 'outbox: settled an entry whose process died mid-send');
      }
    };
    const send = async (entry: OutboxEntry) => {
      try {
        const result = await deliverEntry(entry, transport, deliver);
        await tables.outbox.finish(entry.id, JSON.stringify(result));
      } catch (err) {
        // The store failed mid-way: settle it as an orphan would be (sent again only if it never reached
        // the platform call); if even that fails, the row waits for the next owner.
        log.error({ err, entry: entry.id }, 'outbox: an entry failed mid-way; settling it');
        const settled = await settleOrphan(entry, deliver);
        if (settled.retry) await tables.outbox.defer(entry.id, owner, now() + BEAT_MS);
        else await tables.outbox.finish(entry.id, JSON.stringify(settled.result));
      }
    };
    const loop = async () => {
      while (!stopped) {
        try {
          if (Date.now() - lastBeat >= BEAT_MS) {
            lastBeat = Date.now();
            await settleOrphans();
          }
          if (inFlight.size < (this.options.inFlight ?? 4)) {
            const row = await tables.outbox.claimNext(owner, platform, accounts, now());
            if (row) {
              const entry = decodeEntry(row.entry);
              const until = heldUntil(entry, transport, now());
              if (until > 0) await tables.outbox.defer(entry.id, owner, until);
              else {
                const task = send(entry).catch((err: unknown) => log.error({ err, entry: entry.id }, 'outbox: an entry could not be settled; the next owner will'));
                inFlight.add(task);
                void task.finally(() => {
                  inFlight.delete(task);
                  wake();
                });
              }
              continue;
            }
          }
        } catch (err) {
          log.error({ err }, 'outbox: a round failed; trying again');
        }
        // Stopped while this round ran: no more sleeping (stop() is waiting for this loop to end).
        if (stopped) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.pollMs ?? 500);
          timer.unref();
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    };
    const running = loop();
    const stop = async () => {
      stopped = true;
      wake();
      await running;
      // What was handed to the paced queue goes out as the platform drains it; meanwhile this process
      // still beats, so nobody takes those entries for orphans.
      const beating = setInterval(() => void tables.processes.beat(owner).catch(() => {}), BEAT_MS);
      try {
        await Promise.all([...inFlight]);
      } finally {
        clearInterval(beating);
      }
      wakers.delete(waker);
      await stopPresence();
      this.stops.delete(stop);
    };
    this.stops.add(stop);
    return stop;
  }

  async close(): Promise<void> {
    await Promise.all([...this.stops].map((stop) => stop()));
  }
}
