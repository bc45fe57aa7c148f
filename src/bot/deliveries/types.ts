import type { Platform } from '../context.js';

/** How a send ended: sent; failed (with the platform's reason); dropped (a cap, a shutdown); expired (its deadline passed first); uncertain (its process died mid-send). */
export type DeliveryStatus = 'sent' | 'failed' | 'dropped' | 'expired' | 'uncertain';

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['sent', 'failed', 'dropped', 'expired', 'uncertain'];

/** One send, reply or push, as the delivery log keeps it (30 days). */
export interface Delivery {
  readonly id: string;
  /** When it ended, ISO. */
  readonly at: string;
  readonly platform: Platform;
  /** The bot account that sent it, where known. */
  readonly account?: string;
  readonly chat: string;
  /** What it was: `reply`, `welcome`, `escalation:<id>`, `live:<id>:<kind>`, `coupon:<id>:announce`, `report`… */
  readonly source: string;
  readonly status: DeliveryStatus;
  readonly reason?: string;
  /** The platform's id of the message sent, where it gives one. */
  readonly messageId?: string;
}

export interface DeliveryQuery {
  /** Only sends at or after this. */
  readonly since?: Date;
  readonly chat?: string;
  /** Sources starting with this: `live:` or `escalation:abc`. */
  readonly source?: string;
  /** At most this many, newest first. Default 100. */
  readonly limit?: number;
}

/** The delivery log: every send ends here, listed newest first (by chat or source) without a scan. */
export interface DeliveryLog {
  /** Records how one send ended (again with the same id: the later outcome replaces it). */
  record(delivery: Delivery): Promise<void>;
  /** Newest first, filtered. */
  list(query?: DeliveryQuery): Promise<Delivery[]>;
  get(id: string): Promise<Delivery | undefined>;
}

/** The delivery log keeps sends this long. */
export const DELIVERY_KEEP_MS = 30 * 24 * 3600_000;

/** One line of `deliveries --json` (and an item of `GET /api/deliveries`): these fields in this order. */
export function deliveryFields(d: Delivery): Pick<Delivery, 'id' | 'at' | 'platform' | 'chat' | 'source' | 'status' | 'reason'> {
  return { id: d.id, at: d.at, platform: d.platform, chat: d.chat, source: d.source, status: d.status, ...(d.reason ? { reason: d.reason } : {}) };
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `1h`, `2d` back from `now`, or an instant with its offset. */
export function parseSince(value: string, now: number): Date | undefined {
  const span = /^(\d{1,6})\s*([smhd])$/i.exec(value.trim());
  if (span) return new Date(now - Number(span[1]) * UNITS[span[2]!.toLowerCase()]!);
  if (/^\d{4}-\d{2}-\d{2}(T.+)?$/.test(value.trim())) {
    const t = Date.parse(value.trim());
    return Number.isNaN(t) ? undefined : new Date(t);
  }
  return undefined;
}
