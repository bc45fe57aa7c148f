import type { IncomingMessage, Outbound, Platform } from '../../../bot/context.js';
import type { Outbox, PushResult } from '../../../bot/outbox/types.js';
import type { Transports } from '../../../bot/transports.js';
import type { Logger } from '../../../kernel/logger.js';
import type { Prompts } from '../../../kernel/prompts.js';
import { escalationMessages, parsePerson } from './messages.js';
import type { Escalation, EscalationOutcome, Notice } from './model.js';

/** A notice no agent's platform has sent within this long is not counted as told. */
const NOTICE_WAIT_MS = 20_000;
/** An unsent notice is worthless after this. */
const NOTICE_TTL_MS = 10 * 60_000;

export interface AgentNoticesOptions {
  readonly outbox: Outbox;
  readonly transports: Transports;
  readonly prompts: Prompts;
  readonly logger: Logger;
  /** Who gets escalations: `platform:userId` of the agents (the admins when there are none). */
  readonly agents: () => readonly string[];
  readonly now: () => number;
  /** Formats a time for the agents. */
  readonly clock: (iso: string) => string;
  readonly groupName: (e: Escalation) => string;
  readonly remindAfterMs: number;
}

/**
 * What the agents are sent about escalations, through the outbox (their platform may run in another
 * process): the escalation with its buttons, a fan's follow-ups, and the update of every copy once
 * someone has handled it (an edit, where this process runs the agents' platform).
 */
export class AgentNotices {
  constructor(private readonly options: AgentNoticesOptions) {}

  /** Sends the escalation (round 0, or a reminder round) to every agent whose platform runs somewhere; the copies sent. */
  async notify(e: Escalation, round = 0): Promise<Notice[]> {
    const { prompts, logger, outbox, now } = this.options;
    const people = this.options.agents();
    const messages = escalationMessages(e, prompts, {
      group: this.options.groupName(e),
      time: this.options.clock(e.message.time),
      ...(round ? { reminder: { round, minutes: Math.round(this.options.remindAfterMs / 60_000) * round } } : {}),
    });
    const online = new Map<Platform, boolean>();
    const pending: { person: string; platform: Platform; chatId: string; text: string; result: Promise<PushResult | undefined> }[] = [];
    for (const person of people) {
      const { platform, id: chatId } = parsePerson(person);
      if (!online.has(platform)) online.set(platform, await outbox.online(platform));
      if (!online.get(platform)) continue;
      for (const [i, m] of messages.entries()) {
        // Agents are at work, not fans: never held by quiet hours.
        const { entry } = await outbox.push({
          platform,
          chat: chatId,
          content: m,
          source: `escalation:${e.id}`,
          dedupeKey: `escalation:${e.id}:notice:${round}:${person}:${i}`,
          urgent: true,
          deadline: new Date(now() + NOTICE_TTL_MS),
        });
        pending.push({ person, platform, chatId, text: m.text, result: outbox.result(entry, NOTICE_WAIT_MS) });
      }
    }
    const notices: Notice[] = [];
    for (const p of pending) {
      const result = await p.result;
      if (result?.status === 'sent' && result.messageId) notices.push({ platform: p.platform, chatId: p.chatId, messageId: result.messageId, text: p.text });
      else if (result?.status !== 'sent') logger.warn({ escalation: e.id, agent: p.person, reason: result?.reason ?? 'no answer in time' }, 'escalation not delivered to an agent');
    }
    if (notices.length === 0) logger.error({ escalation: e.id, agents: people.length }, 'no agent could be told of an escalation: set OPSBOT_AGENTS (telegram:<id>) and TELEGRAM_BOT_TOKEN');
    return notices;
  }

  /** A further message from the fan: every agent sees it. */
  async followUp(e: Escalation, message: IncomingMessage): Promise<void> {
    const { prompts, outbox, now } = this.options;
    const content: Outbound = { kind: 'text', text: prompts.render('cs/esc-follow-up', { fan: message.sender.name, message: message.text }) };
    for (const person of this.options.agents()) {
      const { platform, id: chat } = parsePerson(person);
      await outbox.push({
        platform,
        chat,
        content,
        source: `escalation:${e.id}`,
        dedupeKey: `escalation:${e.id}:follow:${message.platform}:${message.messageId}:${person}`,
        urgent: true,
        deadline: new Date(now() + NOTICE_TTL_MS),
      });
    }
  }

  /** Updates every copy the agents have: the status under the text, no more buttons. */
  async showOutcome(id: string, notices: readonly Notice[], outcome: EscalationOutcome): Promise<void> {
    const { prompts, transports, logger } = this.options;
    const who = outcome.by.name;
    const time = this.options.clock(outcome.at);
    const status =
      outcome.status === 'sent'
        ? prompts.render('cs/esc-handled-sent', { who, time, text: outcome.text ?? '' })
        : prompts.render('cs/esc-handled-ignored', { who, time });
    for (const notice of notices) {
      const transport = transports.get(notice.platform);
      if (!transport?.edit) continue;
      const result = await transport.edit(notice.chatId, notice.messageId, { kind: 'text', text: `${notice.text}\n\n${status}` });
      if (result.status !== 'sent') logger.warn({ escalation: id, reason: result.reason }, 'could not update an agent\'s copy');
    }
  }
}
