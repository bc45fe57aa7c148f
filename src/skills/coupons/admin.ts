import { randomBytes } from 'node:crypto';
import type { ChatContext } from '../../bot/context.js';
import type { Middleware } from '../../bot/router.js';
import type { ActionContext, Skill } from '../../bot/skill.js';
import type { Store } from '../../bot/store/index.js';
import type { Prompts } from '../../kernel/prompts.js';
import type { CouponDesk } from './desk.js';
import type { CouponDrop, DropInput } from './drop.js';

const DRAFT_MS = 3600_000;
const ASKING_MS = 30 * 60_000;

type Draft = { -readonly [K in keyof DropInput]: DropInput[K] };
type Field = 'name' | 'stock' | 'keyword' | 'perUser' | 'starts' | 'ends' | 'groups';

/** The facts `/coupon` takes, one per line (名称：…), and the field each fills. */
const FIELDS: readonly [RegExp, Field][] = [
  [/^(名称|券名|名字|name)$/i, 'name'],
  [/^(库存|数量|张数|stock)$/i, 'stock'],
  [/^(口令|关键词|keyword)$/i, 'keyword'],
  [/^(每人|限领|每人限领|per-?user)$/i, 'perUser'],
  [/^(开始|开抢|开始时间|starts?)$/i, 'starts'],
  [/^(结束|截止|结束时间|ends?)$/i, 'ends'],
  [/^(群|群聊|groups?)$/i, 'groups'],
];

/** The guided conversation's steps, in order. */
const STEPS: readonly Field[] = ['name', 'stock', 'keyword', 'starts', 'ends', 'groups'];

/** Puts one value into its field; a number written wrong stays wrong, for the check to name. */
function fill(draft: Draft, field: Field, value: string): void {
  const v = value.trim();
  if (field === 'stock' || field === 'perUser') draft[field] = /^\d+$/.test(v) ? Number(v) : Number.NaN;
  else if (field === 'groups') draft.groups = v.split(/[,，、;；\s]+/).filter(Boolean);
  else draft[field] = v;
}

/** `名称：双12福袋` lines as a drop's input; the lines it could not read, by number. */
export function parseDropLines(text: string): { input: Draft; unread: number[] } {
  const input: Draft = { name: '', keyword: '' };
  const unread: number[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const m = /^([^:：]{1,8})\s*[:：]\s*(.*)$/.exec(line);
    const field = m ? FIELDS.find(([re]) => re.test(m[1]!.trim()))?.[1] : undefined;
    if (!m || !field) unread.push(i + 1);
    else fill(input, field, m[2]!);
  });
  return { input, unread };
}

/**
 * Drops for the operators in chat: `/coupon` with the facts one per line, or a guided conversation when
 * none are given; a preview with 确认 / 取消 before anything is created; `/coupons` shows each drop's
 * claimed and remaining.
 */
export function createCouponAdminSkill(services: { readonly coupons: CouponDesk; readonly store: Store; readonly prompts: Prompts }): Skill & { conversation: Middleware } {
  const { coupons, store, prompts } = services;
  const askingKey = (ctx: Pick<ChatContext, 'platform' | 'sender'>) => `coupon-asking:${ctx.platform}:${ctx.sender.id}`;
  const window = (d: Pick<CouponDrop, 'startsAt' | 'endsAt'>) => coupons.window(d);
  const groupNames = (d: Pick<CouponDrop, 'groups'>) => d.groups.map((g) => g.name).join(prompts.render('coupon/list-separator')) || prompts.render('coupon/admin-no-groups');

  /** The preview: the drop as it will run, under 确认 / 取消. Problems are thrown to the error boundary, every one named. */
  const preview = async (ctx: ChatContext, input: Draft) => {
    const plan = await coupons.plan(input);
    const id = randomBytes(6).toString('base64url');
    await store.set(`coupon-draft:${id}`, { input, by: ctx.sender.id }, DRAFT_MS);
    await ctx.reply({
      kind: 'text',
      text: prompts.render('coupon/admin-preview', { name: plan.name, stock: plan.stock, keyword: plan.keyword, perUser: plan.perUser, window: window(plan), groups: groupNames(plan), count: plan.groups.length }),
      buttons: [[{ text: prompts.render('coupon/admin-button-ok'), data: `coupon:ok:${id}` }, { text: prompts.render('coupon/admin-button-no'), data: `coupon:no:${id}` }]],
    });
  };
  const ask = (ctx: ChatContext, step: Field) => ctx.reply(prompts.render(`coupon/admin-ask-${step}`));

  /** The guided conversation: each answer fills one field, then the next question, then the preview. */
  const conversation: Middleware = async (ctx, next) => {
    if (ctx.chat.type !== 'private' || ctx.role !== 'admin' || ctx.text.startsWith('/')) return next();
    const state = await store.get<{ step: number; input: Draft }>(askingKey(ctx));
    if (!state) return next();
    const answer = ctx.text.trim();
    if (new RegExp(`^(${prompts.render('coupon/admin-cancel-words')})$`, 'i').test(answer)) {
      await store.delete(askingKey(ctx));
      return void (await ctx.reply(prompts.render('coupon/admin-cancelled')));
    }
    const step = STEPS[state.step]!;
    const skip = new RegExp(`^(${prompts.render('coupon/admin-skip-words')})$`, 'i').test(answer);
    if (!skip) fill(state.input, step, answer);
    const following = state.step + 1;
    if (following < STEPS.length) {
      await store.set(askingKey(ctx), { step: following, input: state.input }, ASKING_MS);
      return void (await ask(ctx, STEPS[following]!));
    }
    await store.delete(askingKey(ctx));
    await preview(ctx, state.input);
  };

  const press = async (ctx: ActionContext) => {
    const [, op = '', id = ''] = ctx.data.split(':');
    const draft = await store.get<{ input: Draft }>(`coupon-draft:${id}`);
    // One press decides, even when 确认 is pressed twice or on two devices.
    if (!draft || !(await store.setIfAbsent(`coupon-draft-used:${id}`, DRAFT_MS))) return ctx.answer(prompts.render('coupon/admin-draft-gone'));
    if (op === 'no') {
      await ctx.answer(prompts.render('coupon/admin-toast-dropped'));
      return void (await ctx.reply(prompts.render('coupon/admin-cancelled')));
    }
    const drop = await coupons.create(draft.input);
    await ctx.answer(prompts.render('coupon/admin-toast-created'));
    await ctx.reply(prompts.render('coupon/admin-created', { name: drop.name, id: drop.id, stock: drop.stock, keyword: drop.keyword, window: window(drop), count: drop.groups.length }));
  };

  return {
    name: 'coupon-admin',
    commands: [
      { name: 'coupon', description: 'cmd/coupon', listedFor: ['admin'] },
      { name: 'coupons', description: 'cmd/coupons', listedFor: ['admin'] },
    ],
    roles: ['admin'],
    actions: { prefix: 'coupon', handle: press },
    conversation,
    async handle(ctx, input) {
      if (ctx.chat.type !== 'private') return void (await ctx.reply(prompts.render('coupon/admin-private-only')));
      if (input.command === 'coupons') {
        const drops = (await coupons.list()).filter((d) => coupons.answering(d));
        if (drops.length === 0) return void (await ctx.reply(prompts.render('coupon/admin-coupons-none')));
        const lines = [];
        for (const d of drops) {
          const s = await coupons.status(d.id);
          lines.push(prompts.render('coupon/admin-coupons-line', { name: d.name, id: d.id, keyword: d.keyword, claimed: s.claimed, remaining: s.remaining, stock: s.stock, window: window(d), bar: bar(s.claimed, s.stock) }));
        }
        return void (await ctx.reply(prompts.render('coupon/admin-coupons', { lines: lines.join('\n\n') })));
      }
      if (!input.args.trim()) {
        await store.set(askingKey(ctx), { step: 0, input: { name: '', keyword: '' } }, ASKING_MS);
        return void (await ask(ctx, 'name'));
      }
      const { input: parsed, unread } = parseDropLines(input.args);
      if (unread.length > 0) return void (await ctx.reply(prompts.render('coupon/admin-unread', { lines: unread.join('、') })));
      await preview(ctx, parsed);
    },
  };
}

/** ▓▓▓▓░░░░░░ 40%: how much of the stock is gone, at a glance. */
export function bar(claimed: number, stock: number): string {
  const share = stock > 0 ? claimed / stock : 0;
  const filled = Math.round(share * 10);
  return `${'▓'.repeat(filled)}${'░'.repeat(10 - filled)} ${Math.floor(share * 100)}%`;
}
