import { createHash } from 'node:crypto';
import type { Outbound } from '../context.js';
import { ANY_ACCOUNT, type OutboxEntry, type PushInput } from './types.js';

/** A push is worthless after this by default. */
export const DEFAULT_PUSH_TTL_MS = 24 * 3600_000;
/** Outbox entries (and their attempt markers) are kept this long. */
export const OUTBOX_KEEP_MS = 30 * 24 * 3600_000;

/** The entry's id, from its dedupe key: the same key is the same entry (and the same line in the delivery log). */
export function entryId(dedupeKey: string): string {
  return `o-${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 20)}`;
}

/** Builds the entry for a push, now. */
export function newEntry(input: PushInput, account: string | undefined, now: number): OutboxEntry {
  return {
    id: entryId(input.dedupeKey),
    platform: input.platform,
    account: account ?? ANY_ACCOUNT,
    chat: input.chat,
    content: input.content,
    source: input.source,
    deadline: (input.deadline ?? new Date(now + DEFAULT_PUSH_TTL_MS)).toISOString(),
    dedupeKey: input.dedupeKey,
    ...(input.replyTo ? { replyTo: input.replyTo } : {}),
    ...(input.urgent ? { urgent: true } : {}),
    ...(input.after ? { after: input.after.id } : {}),
    createdAt: new Date(now).toISOString(),
  };
}

type Encoded = Omit<OutboxEntry, 'content'> & { readonly content: Outbound | { readonly kind: 'image'; readonly data64: string; readonly mime: string; readonly caption?: string } };

/** The entry as JSON: a picture's bytes as base64. */
export function encodeEntry(entry: OutboxEntry): string {
  const c = entry.content;
  const content = c.kind === 'image' ? { kind: 'image' as const, data64: c.data.toString('base64'), mime: c.mime, ...(c.caption ? { caption: c.caption } : {}) } : c;
  return JSON.stringify({ ...entry, content });
}

/** The entry from its JSON. */
export function decodeEntry(json: string): OutboxEntry {
  const e = JSON.parse(json) as Encoded;
  const c = e.content;
  if (c.kind === 'image' && 'data64' in c) {
    return { ...e, content: { kind: 'image', data: Buffer.from(c.data64, 'base64'), mime: c.mime, ...(c.caption ? { caption: c.caption } : {}) } };
  }
  return e as OutboxEntry;
}

/** Replies and urgent pushes go first. */
export function isPriority(entry: Pick<OutboxEntry, 'replyTo' | 'urgent'>): boolean {
  return Boolean(entry.replyTo || entry.urgent);
}
