// The message mix of bench/throughput.ts: what a shop's bot hears in a day, in proportions, as the
// router's IncomingMessage and as a Telegram update for the bare grammY bot. Deterministic.

import type { IncomingMessage } from '../src/bot/context.js';

/** Telegram ids of the operators (OPSBOT_ADMINS) and agents (OPSBOT_AGENTS) the bench's app is given. */
export const ADMINS = ['9001', '9002'];
export const AGENTS = ['9101', '9102', '9103'];

interface Line {
  readonly who: 'fan' | 'admin' | 'agent';
  readonly where: 'group' | 'private';
  readonly mentioned?: boolean;
  readonly texts: readonly string[];
  /** How many of every 40 messages are of this kind. */
  readonly share: number;
  readonly what: string;
}

/** Of every 40 messages: most is the group talking, then fans asking the bot, then staff asking the playbook. */
export const MIX: readonly Line[] = [
  { what: 'group chit-chat (left alone)', who: 'fan', where: 'group', share: 24, texts: ['哈哈哈哈', '今天天气不错', '收到', '666', '我也想要', '刚下单了', '好的好的', '晚上见', '主播好美', '这个颜色好看'] },
  { what: 'a fan @-mentions the bot with a service question (a script answers; 发什么快递 goes to the agents as an escalation)', who: 'fan', where: 'group', mentioned: true, share: 5, texts: ['什么时候发货', '有优惠券吗', '发什么快递', '怎么付款', '这款有货吗'] },
  { what: 'a fan asks about the live in the group, no mention (the live skill answers)', who: 'fan', where: 'group', share: 2, texts: ['今晚几点直播？', '明天直播吗？'] },
  { what: 'a fan greets or thanks the bot in the group', who: 'fan', where: 'group', mentioned: true, share: 2, texts: ['谢谢', '你好'] },
  { what: 'a fan writes privately', who: 'fan', where: 'private', share: 2, texts: ['什么时候发货', '你好'] },
  { what: 'an operator asks the playbook privately (retrieval + answer)', who: 'admin', where: 'private', share: 3, texts: ['直播预告应该提前多久发？', '私域流量怎么运营', '社群怎么拉新', '福袋谁能发'] },
  { what: 'an agent uses /ask', who: 'agent', where: 'private', share: 2, texts: ['/ask 怎么提高复购', '/ask 直播间怎么留人'] },
];

const GROUPS = 200;
const FANS = 4_000;

/** Which line of the mix the `i`-th message is. */
export function lineOf(i: number): Line {
  const slot = i % 40;
  let acc = 0;
  return MIX.find((l) => (acc += l.share) > slot)!;
}

/** The `i`-th message of run `run` (ids unique per run, so the dedupe check never drops one). */
export function messageAt(run: string, i: number): IncomingMessage {
  const slot = i % 40;
  const line = lineOf(i);
  const round = Math.floor(i / 40);
  const text = line.texts[(round + slot) % line.texts.length]!;
  const staff = line.who === 'admin' ? ADMINS : line.who === 'agent' ? AGENTS : undefined;
  const sender = staff ? staff[i % staff.length]! : String(100_000 + ((i * 7919) % FANS));
  const group = `-100${1_000 + ((i * 31) % GROUPS)}`;
  return {
    platform: 'telegram',
    account: 'bench_bot',
    messageId: `${run}-${i}`,
    time: new Date(),
    chat: line.where === 'group' ? { id: group, type: 'group', title: `粉丝${group.slice(-3)}群` } : { id: sender, type: 'private' },
    sender: { id: sender, name: `用户${sender}` },
    text,
    mentioned: line.mentioned ?? false,
    self: false,
  };
}

/** The same message as a Telegram update (what a bare grammY bot's handleUpdate takes). */
export function updateOf(m: IncomingMessage, updateId: number): Record<string, unknown> {
  const chat = m.chat.type === 'group' ? { id: Number(m.chat.id), type: 'supergroup', title: m.chat.title } : { id: Number(m.chat.id), type: 'private', first_name: m.sender.name };
  return {
    update_id: updateId,
    message: {
      message_id: updateId,
      date: Math.floor(Date.now() / 1000),
      chat,
      from: { id: Number(m.sender.id), is_bot: false, first_name: m.sender.name },
      text: m.mentioned ? `@bench_bot ${m.text}` : m.text,
    },
  };
}
