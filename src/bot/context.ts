import type { Logger } from '../kernel/logger.js';

export type Platform = 'wechat' | 'telegram' | 'local';
export type Role = 'admin' | 'agent' | 'fan';
export const ROLES: readonly Role[] = ['admin', 'agent', 'fan'];

export interface Person {
  readonly id: string;
  readonly name: string;
}

/** A button under a message (Telegram's inline keyboard); `data` comes back as an IncomingAction. */
export interface Button {
  readonly text: string;
  /** At most 64 bytes (Telegram's limit): `<skill prefix>:<what>`. */
  readonly data: string;
}

/** What the bot sends: plain text (with buttons where the platform has them), text that @-mentions people, or a picture. */
export type Outbound =
  | { readonly kind: 'text'; readonly text: string; readonly buttons?: readonly (readonly Button[])[] }
  | { readonly kind: 'mention'; readonly text: string; readonly mentions: readonly Person[] }
  | { readonly kind: 'image'; readonly data: Buffer; readonly mime: string; readonly caption?: string };

/** The honest outcome of one send: as the delivery log keeps it. */
export interface SendResult {
  readonly status: 'sent' | 'failed' | 'dropped' | 'expired' | 'uncertain';
  readonly reason?: string;
  /** Set by the send queue: the send's id in the delivery log. */
  readonly id?: string;
  /** The platform's id of the message sent, where it gives one (to edit it later). */
  readonly messageId?: string;
  /** Set by an adapter on a failure it knows reached nothing (the account was logged out): the queue may hold and retry it. */
  readonly notSent?: boolean;
}

/** One incoming message, as every adapter (WeChat, Telegram, the local playground) produces it. */
export interface IncomingMessage {
  readonly platform: Platform;
  /** The bot account that received it (Telegram's bot id, the WeChat login's id), where the adapter knows it. */
  readonly account?: string;
  /** Unique per platform: the key for dropping duplicate deliveries. */
  readonly messageId: string;
  readonly time: Date;
  readonly chat: { readonly id: string; readonly type: 'group' | 'private'; readonly title?: string };
  readonly sender: Person & { readonly isBot?: boolean };
  /** The text with the bot's @-mention (and WeChat's U+2005 after it) removed. */
  readonly text: string;
  /** The bot was @-mentioned (or replied to). */
  readonly mentioned: boolean;
  /** Sent by this bot's own account. */
  readonly self: boolean;
  /** Forwarded from someone else (a customer's message an agent passes on). */
  readonly forwarded?: boolean;
}

/** Someone pressed a button under one of the bot's messages. */
export interface IncomingAction {
  readonly platform: Platform;
  /** Unique per press: the key for dropping duplicate deliveries. */
  readonly id: string;
  readonly chat: { readonly id: string; readonly type: 'group' | 'private' };
  readonly sender: Person;
  /** The button's `data`. */
  readonly data: string;
  /** The message the button is under. */
  readonly messageId: string;
  /** Shows a short notice to the presser (Telegram's callback answer); the adapter calls it once at most. */
  answer(text?: string): Promise<void>;
}

/** How one message is sent. */
export interface SendOptions {
  /** An answer to that message: goes first, mentions the asker in a group, never held by quiet hours. */
  readonly replyTo?: IncomingMessage;
  /** Never held by quiet hours (alerts to operators, escalations to agents). */
  readonly urgent?: boolean;
  /** What it is, for the delivery log; default `reply` for an answer, `push` otherwise. */
  readonly source?: string;
  /** Its id in the delivery log (an outbox entry's id); generated when absent. */
  readonly id?: string;
  /** Epoch ms after which it is not sent (expired) but reported. */
  readonly deadline?: number;
  /** Asked right before the platform call: false means an earlier attempt may have sent it, so it is not sent again (uncertain). */
  readonly attempt?: () => Promise<boolean>;
  /** Already held through quiet hours by the outbox (which defers in the store): not held again in memory. */
  readonly pastQuietHours?: boolean;
}

/** How an adapter delivers: the router never imports a platform library. */
export interface Transport {
  send(chatId: string, content: Outbound, options?: SendOptions): Promise<SendResult>;
  /** Replaces a message the bot sent (its text and buttons), where the platform can. */
  edit?(chatId: string, messageId: string, content: Outbound): Promise<SendResult>;
  /** Epoch ms until which pushes are held (quiet hours), or 0: the outbox defers rather than waits. */
  quietUntil?(): number;
}

/** A message kept to answer later (an escalation, an outbox entry): the message without functions, time as ISO. */
export type StoredMessage = Omit<IncomingMessage, 'time'> & { readonly time: string };

/** Only the message itself, ready to store: a handler's context also carries functions and a logger. */
export function storedMessage(m: IncomingMessage): StoredMessage {
  return {
    platform: m.platform,
    ...(m.account ? { account: m.account } : {}),
    messageId: m.messageId,
    time: m.time.toISOString(),
    chat: m.chat,
    sender: { id: m.sender.id, name: m.sender.name },
    text: m.text,
    mentioned: m.mentioned,
    self: false,
    ...(m.forwarded ? { forwarded: true } : {}),
  };
}

/** A stored message as the router had it. */
export function incomingMessage(m: StoredMessage): IncomingMessage {
  return { ...m, time: new Date(m.time) };
}

/** The message a skill handles, with its sender's role and the ways to answer. */
export interface ChatContext extends IncomingMessage {
  readonly role: Role;
  /** A child logger bound to platform, chat, message and skill. */
  readonly logger: Logger;
  /** Answers in the chat the message came from. */
  reply(content: Outbound | string): Promise<SendResult>;
  /** Sends to another chat of the same platform. */
  send(chatId: string, content: Outbound | string): Promise<SendResult>;
}

/** Plain text as an Outbound. */
export function toOutbound(content: Outbound | string): Outbound {
  return typeof content === 'string' ? { kind: 'text', text: content } : content;
}

/** Someone joined or left a group, as an adapter reports it. */
export interface MembershipEvent {
  readonly platform: Platform;
  /** The bot account that saw it, where the adapter knows it. */
  readonly account?: string;
  readonly chat: { readonly id: string; readonly title?: string };
  /** bot-joined / bot-left: the bot itself; members-joined: other people; migrated: the group has a new id (`movedTo`). */
  readonly kind: 'bot-joined' | 'bot-left' | 'members-joined' | 'migrated';
  readonly people: readonly Person[];
  /** For `migrated`: the group's new id (a Telegram group upgraded to a supergroup). */
  readonly movedTo?: string;
}
