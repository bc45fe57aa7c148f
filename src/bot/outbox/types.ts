import type { Logger } from '../../kernel/logger.js';
import type { Outbound, Platform, StoredMessage, Transport } from '../context.js';
import type { DeliveryStatus } from '../deliveries/types.js';
import type { Reporter } from '../reports.js';
import type { Store } from '../store/index.js';

/** What a plugin pushes: anything the bot sends that is not a reply to a message just received. */
export interface PushInput {
  readonly platform: Platform;
  /** The bot account to send from; default the one the group was last seen by, else any of the platform's. */
  readonly account?: string;
  readonly chat: string;
  readonly content: Outbound;
  /** For the delivery log: `welcome`, `escalation:<id>`, `live:<id>:<kind>`, `coupon:<id>:announce`… */
  readonly source: string;
  /** Expired rather than sent after this. Default a day after it was pushed. */
  readonly deadline?: Date;
  /** Makes the push idempotent: the same key again sends nothing and returns the first entry. */
  readonly dedupeKey: string;
  /** Answers this message (an agent's reply to a fan): goes first, mentions its sender in a group. */
  readonly replyTo?: StoredMessage;
  /** Never held by quiet hours (alerts to operators, escalations to agents). */
  readonly urgent?: boolean;
  /**
   * Sent only once this earlier entry has ended, whatever its outcome: a live's poster after its
   * preannounce, even when two processes serve the chat. Goes to that entry's account unless `account` says.
   */
  readonly after?: Pick<OutboxEntry, 'id' | 'account'>;
}

/** A push as the outbox keeps it until its account's owner has sent it. */
export interface OutboxEntry {
  readonly id: string;
  readonly platform: Platform;
  /** The account whose owner sends it; `*`: any process running the platform. */
  readonly account: string;
  readonly chat: string;
  readonly content: Outbound;
  readonly source: string;
  readonly deadline: string;
  readonly dedupeKey: string;
  readonly replyTo?: StoredMessage;
  readonly urgent?: boolean;
  /** The id of the entry this one waits for. */
  readonly after?: string;
  readonly createdAt: string;
}

/** How a push ended, as the delivery log has it. */
export interface PushResult {
  readonly status: DeliveryStatus;
  readonly reason?: string;
  readonly messageId?: string;
}

/** Any account of the platform: entries whose sending account is not known. */
export const ANY_ACCOUNT = '*';

/**
 * The outbox: pushes written for a platform account and sent by the process that runs that account,
 * through its paced send queue; any process can push. On Redis a BullMQ queue per account; on SQLite a
 * table the owner polls. Every entry ends in the delivery log; one whose deadline passes is expired,
 * never sent late; one whose process died mid-send is uncertain, never sent twice.
 */
export interface Outbox {
  /** Writes a push; idempotent by `dedupeKey` (`created` is false for the second and later). */
  push(input: PushInput): Promise<{ readonly entry: OutboxEntry; readonly created: boolean }>;
  /**
   * Takes back a push that is still waiting (a cancelled or moved live): it ends `dropped` in the delivery
   * log and is never sent. False when there is none waiting (sent, being sent, or never pushed).
   */
  cancel(push: Pick<PushInput, 'platform' | 'account' | 'chat' | 'dedupeKey' | 'source'>): Promise<boolean>;
  /** The push's outcome once its owner has sent it; undefined if it has not ended within `timeoutMs`. */
  result(entry: OutboxEntry, timeoutMs?: number): Promise<PushResult | undefined>;
  /** Sends this account's entries (and those for any account of the platform) through `transport`, until stopped. */
  serve(platform: Platform, account: string, transport: Transport): Promise<() => Promise<void>>;
  /** True when some process (this one or another) is serving the platform now. */
  online(platform: Platform): Promise<boolean>;
  /** Stops serving and closes connections. */
  close(): Promise<void>;
}

/** What every outbox is built from; the timing knobs default to production values. */
export interface OutboxOptions {
  /** The backend (a SQLite table, or BullMQ on the store's Redis), attempt markers, presence. */
  readonly store: Store;
  readonly logger: Logger;
  /** The app's clock: deadlines are read on it. */
  readonly now: () => number;
  /** This process's name in claims and heartbeats (the scheduler's too). */
  readonly owner: string;
  readonly reporter?: Reporter;
  /** The account that serves a chat, when a push does not say (the group registry knows). */
  readonly resolveAccount?: (platform: Platform, chat: string) => Promise<string | undefined>;
  /** SQLite: how often an owner looks for entries pushed by other processes. Default 500 ms. */
  readonly pollMs?: number;
  /** SQLite: a process that has not beaten for this long is taken for dead. Default 15 s. */
  readonly staleMs?: number;
  /** Redis: a sender's lock on an entry (one whose lock lapses is settled), and how often lapsed locks are looked for. */
  readonly lockMs?: number;
  readonly stalledCheckMs?: number;
  /** Entries handed to the paced queue at once, so a reply can overtake waiting pushes. Default 4. */
  readonly inFlight?: number;
}
