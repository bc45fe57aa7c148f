import type { Logger } from '../../kernel/logger.js';
import { Reason } from '../deliveries/reasons.js';
import { incomingMessage, type Transport } from '../context.js';
import type { Reporter } from '../reports.js';
import type { Store } from '../store/index.js';
import { isPriority, OUTBOX_KEEP_MS } from './entry.js';
import { ANY_ACCOUNT, type OutboxEntry, type PushResult } from './types.js';

export interface DeliverOptions {
  readonly store: Store;
  readonly logger: Logger;
  readonly now: () => number;
  readonly reporter?: Reporter;
}

/** The once-marker taken right before the platform call: whoever finds it taken must not send again. */
export const attemptKey = (entry: Pick<OutboxEntry, 'id'>) => `outbox-attempt:${entry.id}`;

/** What to do with an entry its owner has taken: wait out quiet hours (until when), or send it now. */
export function heldUntil(entry: OutboxEntry, transport: Transport, now: number): number {
  if (isPriority(entry)) return 0;
  const quiet = transport.quietUntil?.() ?? 0;
  if (quiet <= now) return 0;
  // Held no later than just past its deadline, when it is expired and reported.
  return Math.min(quiet, Date.parse(entry.deadline) + 1);
}

/**
 * Sends one entry through the owner's paced queue, the same on every backend: expired if its deadline
 * has passed (never sent late), uncertain if an earlier attempt may have sent it (never sent twice).
 * The send queue writes the delivery log; what is expired or uncertain is reported to the operators.
 */
export async function deliverEntry(entry: OutboxEntry, transport: Transport, options: DeliverOptions): Promise<PushResult> {
  const { store, now } = options;
  const deadline = Date.parse(entry.deadline);
  let result: PushResult;
  if (now() > deadline) {
    result = { status: 'expired', reason: `${Reason.PAST_DEADLINE} ${entry.deadline}` };
    await logOutcome(entry, result, options);
  } else {
    const sent = await transport.send(entry.chat, entry.content, {
      id: entry.id,
      source: entry.source,
      deadline,
      ...(entry.urgent ? { urgent: true } : {}),
      ...(entry.replyTo ? { replyTo: incomingMessage(entry.replyTo) } : {}),
      attempt: () => store.setIfAbsent(attemptKey(entry), OUTBOX_KEEP_MS),
      // heldUntil() has decided on quiet hours; the queue must not hold it again in memory.
      pastQuietHours: true,
    });
    result = { status: sent.status, ...(sent.reason ? { reason: sent.reason } : {}), ...(sent.messageId ? { messageId: sent.messageId } : {}) };
  }
  report(entry, result, options);
  return result;
}

/** The delivery log's line for an entry the outbox ended itself (the send queue logs what it sends). */
export function logOutcome(entry: OutboxEntry, result: PushResult, options: Pick<DeliverOptions, 'store' | 'now'>): Promise<void> {
  return options.store.tables.deliveries.record({
    id: entry.id,
    at: new Date(options.now()).toISOString(),
    platform: entry.platform,
    ...(entry.account !== ANY_ACCOUNT ? { account: entry.account } : {}),
    chat: entry.chat,
    source: entry.source,
    status: result.status,
    ...(result.reason ? { reason: result.reason } : {}),
  });
}

/** Tells the operators of a push that did not go out on time, failed (it is not retried), or may have gone out (not of their own reports or alerts). */
export function report(entry: OutboxEntry, result: PushResult, options: Pick<DeliverOptions, 'reporter'>): void {
  if (entry.source === 'report' || entry.source === 'alert' || (result.status !== 'expired' && result.status !== 'uncertain' && result.status !== 'failed')) return;
  options.reporter?.add({ kind: `send-${result.status}`, what: entry.source, chat: entry.chat, reason: result.reason ?? '' });
}

/**
 * An entry whose sender died mid-send: if the attempt marker was never taken it was not sent, so it may
 * go again (true); if it was taken, it is uncertain: logged and reported, never sent again (false).
 */
export async function settleOrphan(entry: OutboxEntry, options: DeliverOptions): Promise<{ retry: true } | { retry: false; result: PushResult }> {
  const { store } = options;
  if (await store.setIfAbsent(attemptKey(entry), OUTBOX_KEEP_MS)) {
    await store.release(attemptKey(entry));
    return { retry: true };
  }
  const result: PushResult = { status: 'uncertain', reason: Reason.DIED_MID_SEND };
  await logOutcome(entry, result, options);
  report(entry, result, options);
  return { retry: false, result };
}
