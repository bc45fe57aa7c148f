import type { Logger } from './logger.js';

export type Platform = 'wechat' | 'telegram' | 'local';
export type Role = 'admin' | 'agent' | 'fan';
export const ROLES: readonly Role[] = ['admin', 'agent', 'fan'];

export interface Person {
  readonly id: string;
  readonly name: string;
}

/** What the bot sends: plain text, text that @-mentions people, or a picture. */
export type Outbound =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'mention'; readonly text: string; readonly mentions: readonly Person[] }
  | { readonly kind: 'image'; readonly data: Buffer; readonly mime: string; readonly caption?: string };

/** The honest outcome of one send. */
export interface SendResult {
  readonly status: 'sent' | 'failed' | 'dropped';
  readonly reason?: string;
  /** Set by the send queue: the key of the status it kept (`send:<id>`). */
  readonly id?: string;
}

/** One incoming message, as every adapter (WeChat, Telegram, the local playground) produces it. */
export interface IncomingMessage {
  readonly platform: Platform;
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
}

/** How an adapter delivers: the router never imports a platform library. */
export interface Transport {
  send(chatId: string, content: Outbound, options?: { replyTo?: IncomingMessage }): Promise<SendResult>;
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
  readonly chat: { readonly id: string; readonly title?: string };
  /** bot-joined / bot-left: the bot itself; members-joined: other people. */
  readonly kind: 'bot-joined' | 'bot-left' | 'members-joined';
  readonly people: readonly Person[];
}
