import { randomBytes } from 'node:crypto';
import type { ChatContext } from '../../bot/context.js';
import { guidedForm, readFieldLines } from '../../bot/forms.js';
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
  const unread = readFieldLines(text, FIELDS, (field, value) => fill(input, field, value));
  return { input, unread };
}

/**
 * Drops for the operators in chat: `/coupon` with the facts one per line, or a guided conversation when
 * none are given; a preview with 确认 / 取消 before anything is created; `/coupons` shows each drop's
 * claimed and remaining.
 */
export function createCouponAdminSkill(services: { readonly coupons: CouponDesk; readonly store: Store; readonly prompts: Prompts }): Skill & { conversation: Middleware } {
  const { coupons, store, prompts } = services;
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
  const words = (key: string) => new RegExp(`^(${prompts.render(key)})$`, 'i');
  const form = guidedForm<Draft, Field>({
    store,
    name: 'coupon-asking',
    steps: STEPS,
    ttlMs: ASKING_MS,
    cancel: words('coupon/admin-cancel-words'),
    skip: words('coupon/admin-skip-words'),
    ask,
    fill,
    cancelled: (ctx) => ctx.reply(prompts.render('coupon/admin-cancelled')),
    done: preview,
  });

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
    conversation: form.middleware,
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
      if (!input.args.trim()) return form.start(ctx, { name: '', keyword: '' });
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
