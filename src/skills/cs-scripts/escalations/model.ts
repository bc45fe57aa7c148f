import type { IncomingMessage, Person, Platform, StoredMessage } from '../../../bot/context.js';
import type { Store } from '../../../bot/store/index.js';
import type { Intent } from '../intents.js';
import type { Suggestion } from '../scripts.js';

const DAY = 24 * 3600_000;
/** Escalations (and who handled them) are kept this long. */
export const KEEP_MS = 7 * DAY;
/** A pending edit waits this long for the agent's text. */
export const EDIT_WAIT_MS = 30 * 60_000;
/** Held while a reply is on its way; if the process dies meanwhile, others may take it after this. */
export const CLAIM_MS = 30 * 60_000;
/** A fan's further messages within this long join their open escalation instead of opening another. */
export const FOLLOW_UP_MS = 30 * 60_000;

/** A message the bot sent an agent about an escalation, so it can be updated once someone handles it. */
export interface Notice {
  readonly platform: Platform;
  readonly chatId: string;
  readonly messageId: string;
  readonly text: string;
}

/** A fan's message a person must follow up, with the suggested replies. */
export interface Escalation {
  readonly id: string;
  readonly createdAt: string;
  /** The fan's message, as the router had it. */
  readonly message: StoredMessage;
  readonly intent: Intent;
  readonly suggestions: readonly Suggestion[];
  readonly notices: readonly Notice[];
  readonly notifiedAt: string;
  readonly reminders: number;
}

/** How an escalation ended: written once, by whoever took it. */
export interface EscalationOutcome {
  readonly status: 'sent' | 'ignored';
  readonly by: Person & { readonly platform: Platform };
  readonly at: string;
  readonly text?: string;
}

/**
 * Escalations in the shared store: the record, its outcome, the fan's open one, the agent's pending
 * edit, and the claim that makes one agent the handler (one atomic operation).
 */
export class EscalationRecords {
  constructor(private readonly store: Store) {}

  /** The escalation, or undefined once it has expired. */
  get(id: string): Promise<Escalation | undefined> {
    return this.store.get<Escalation>(`esc:${id}`);
  }

  save(e: Escalation): Promise<void> {
    return this.store.set(`esc:${e.id}`, e, KEEP_MS);
  }

  /** How the escalation ended, or undefined while it is open. */
  outcome(id: string): Promise<EscalationOutcome | undefined> {
    return this.store.get<EscalationOutcome>(`esc-outcome:${id}`);
  }

  saveOutcome(id: string, outcome: EscalationOutcome): Promise<void> {
    return this.store.set(`esc-outcome:${id}`, outcome, KEEP_MS);
  }

  private fanKey(m: Pick<IncomingMessage, 'platform' | 'chat' | 'sender'>): string {
    return `esc-fan:${m.platform}:${m.chat.id}:${m.sender.id}`;
  }

  /** The id of the fan's escalation in this chat from the last 30 minutes. */
  fanOpen(m: Pick<IncomingMessage, 'platform' | 'chat' | 'sender'>): Promise<string | undefined> {
    return this.store.get<string>(this.fanKey(m));
  }

  /** Remembers (again) that the fan's further messages join escalation `id`. */
  setFanOpen(m: Pick<IncomingMessage, 'platform' | 'chat' | 'sender'>, id: string): Promise<void> {
    return this.store.set(this.fanKey(m), id, FOLLOW_UP_MS);
  }

  /** Makes the caller the one handling it; false when someone already is. */
  claim(id: string): Promise<boolean> {
    return this.store.setIfAbsent(`esc-claim:${id}`, CLAIM_MS);
  }

  /** Frees the claim (the send failed: the agent, or another, may try again). */
  async release(id: string): Promise<void> {
    await this.store.release(`esc-claim:${id}`);
  }

  /** Which try at a reply this is (each try is its own outbox entry). */
  nextTry(id: string): Promise<number> {
    return this.store.increment(`esc-try:${id}`, 1, KEEP_MS);
  }

  /** The escalation an agent is writing an edited reply for. */
  editing(platform: Platform, agentId: string): Promise<{ id: string } | undefined> {
    return this.store.get<{ id: string }>(`esc-editing:${platform}:${agentId}`);
  }

  startEditing(platform: Platform, agentId: string, id: string): Promise<void> {
    return this.store.set(`esc-editing:${platform}:${agentId}`, { id }, EDIT_WAIT_MS);
  }

  async stopEditing(platform: Platform, agentId: string): Promise<void> {
    await this.store.delete(`esc-editing:${platform}:${agentId}`);
  }
}
