import { randomBytes } from 'node:crypto';
import type { ChatContext } from '../../bot/context.js';
import { guidedForm, readFieldLines } from '../../bot/forms.js';
import type { Middleware } from '../../bot/router.js';
import type { ActionContext, Skill } from '../../bot/skill.js';
import type { Store } from '../../bot/store/index.js';
import { localDayTime } from '../../kernel/clock.js';
import type { Prompts } from '../../kernel/prompts.js';
import type { LiveDesk } from './desk.js';
import { messageName } from './plan.js';
import { splitList, type LiveInput, type LiveSession } from './session.js';

const DRAFT_MS = 3600_000;
const ASKING_MS = 30 * 60_000;

/** The facts `/live` takes, one per line (标题：…), and the field each fills. */
const FIELDS: readonly [RegExp, keyof LiveInput][] = [
  [/^(标题|名称|title)$/i, 'title'],
  [/^(时间|开播|开播时间|开始|start)$/i, 'start'],
  [/^(主题|theme)$/i, 'theme'],
  [/^(福利|优惠|offers?)$/i, 'offers'],
  [/^(商品|产品|清单|products?)$/i, 'products'],
  [/^(群|群聊|groups?)$/i, 'groups'],
  [/^(时长|duration)$/i, 'duration'],
  [/^(提醒|reminders?)$/i, 'reminders'],
  [/^(链接|回放|直播间|link)$/i, 'link'],
  [/^(主播|host)$/i, 'host'],
];

/** The guided conversation's steps, in order. */
const STEPS = ['title', 'start', 'theme', 'offers', 'products', 'groups'] as const;
type Step = (typeof STEPS)[number];

type Draft = { -readonly [K in keyof LiveInput]: LiveInput[K] };

/** Puts one value into its field (lists split the way people write them). */
function fill(draft: Draft, field: keyof LiveInput, value: string): void {
  if (field === 'offers') draft.offers = splitList(value, /[;；\n]/);
  else if (field === 'products' || field === 'groups') draft[field] = splitList(value);
  else draft[field] = value.trim();
}

/** `标题：双12专场` lines as a live's input; the lines it could not read, by number. */
export function parseLiveLines(text: string): { input: Draft; unread: number[] } {
  const input: Draft = { title: '', start: '' };
  const unread = readFieldLines(text, FIELDS, (field, value) => fill(input, field, value));
  return { input, unread };
}

/**
 * Lives for the operators in chat: `/live` with the facts one per line, or a guided conversation when
 * none are given; a preview (the poster, the preannounce, the times and groups, the warnings) with
 * 确认 / 取消 before anything is scheduled; `/lives` lists what is coming, with a cancel button each.
 */
export function createLiveAdminSkill(services: { readonly lives: LiveDesk; readonly store: Store; readonly prompts: Prompts; readonly tz: string; readonly now: () => number }): Skill & {
  conversation: Middleware;
} {
  const { lives, store, prompts, tz, now } = services;
  const time = (iso: string) => {
    const { day, time: t } = localDayTime(new Date(iso), tz);
    return `${day.slice(5).replace('-', '/')} ${t}`;
  };

  /** The preview: poster, then the preannounce, the plan and the warnings under 确认 / 取消. */
  const preview = async (ctx: ChatContext, input: Draft) => {
    const p = await lives.preview(input);
    const id = randomBytes(6).toString('base64url');
    await store.set(`live-draft:${id}`, { input, by: ctx.sender.id }, DRAFT_MS);
    await ctx.reply({ kind: 'image', data: p.poster, mime: 'image/png' });
    const plan = p.messages.map((m) => prompts.render('live/admin-plan-line', { what: messageName(m, prompts), at: time(m.at) })).join('\n');
    const groups = p.plan.groups.map((g) => g.name).join(prompts.render('live/part-products-separator')) || prompts.render('live/admin-no-groups');
    const warnings = p.plan.warnings.length > 0 ? `\n\n${p.plan.warnings.join('\n')}` : '';
    await ctx.reply({
      kind: 'text',
      text: prompts.render('live/admin-preview', { text: p.messages[0]!.text, plan, groups, count: p.plan.groups.length, warnings }),
      buttons: [[{ text: prompts.render('live/admin-button-ok'), data: `live:ok:${id}` }, { text: prompts.render('live/admin-button-no'), data: `live:no:${id}` }]],
    });
  };

  const ask = (ctx: ChatContext, step: Step) => ctx.reply(prompts.render(`live/admin-ask-${step}`, { example: example() }));
  const example = () => {
    const { day } = localDayTime(new Date(now() + 86_400_000), tz);
    return `${day} 20:00`;
  };

  /** The guided conversation: each answer fills one field, then the next question, then the preview. */
  const words = (key: string) => new RegExp(`^(${prompts.render(key)})$`, 'i');
  const form = guidedForm<Draft, Step>({
    store,
    name: 'live-asking',
    steps: STEPS,
    ttlMs: ASKING_MS,
    cancel: words('live/admin-cancel-words'),
    skip: words('live/admin-skip-words'),
    ask,
    // 全部 for the groups: every fan group, as when none are named.
    fill: (draft, step, answer) => void (step === 'groups' && words('live/admin-all-words').test(answer) ? undefined : fill(draft, step, answer)),
    cancelled: (ctx) => ctx.reply(prompts.render('live/admin-cancelled')),
    done: preview,
  });
  const conversation = form.middleware;

  const press = async (ctx: ActionContext) => {
    const [, op = '', id = ''] = ctx.data.split(':');
    if (op === 'x') {
      const s = await lives.cancel(id);
      await ctx.answer(prompts.render('live/admin-toast-cancelled'));
      return void (await ctx.reply(prompts.render('live/admin-live-cancelled', { title: s.title, id: s.id })));
    }
    const draft = await store.get<{ input: Draft }>(`live-draft:${id}`);
    // One press decides, even when 确认 is pressed twice or on two devices.
    if (!draft || !(await store.setIfAbsent(`live-draft-used:${id}`, DRAFT_MS))) return ctx.answer(prompts.render('live/admin-draft-gone'));
    if (op === 'no') {
      await ctx.answer(prompts.render('live/admin-toast-dropped'));
      return void (await ctx.reply(prompts.render('live/admin-cancelled')));
    }
    const { session } = await lives.schedule(draft.input);
    await ctx.answer(prompts.render('live/admin-toast-scheduled'));
    await ctx.reply(prompts.render('live/admin-scheduled', { title: session.title, id: session.id, count: session.groups.length, at: time(session.messages[0]!.at) }));
  };

  const listing = (s: LiveSession) => {
    const next = s.messages.find((m) => Date.parse(m.at) > now());
    return prompts.render('live/admin-lives-line', {
      title: s.title,
      start: time(s.start),
      id: s.id,
      next: next ? `${prompts.render('live/admin-lives-next', { what: messageName(next, prompts), at: time(next.at) })}\n` : '',
      groups: s.groups.map((g) => g.name).join(prompts.render('live/part-products-separator')) || prompts.render('live/admin-no-groups'),
    });
  };

  return {
    name: 'live-admin',
    commands: [
      { name: 'live', description: 'cmd/live', listedFor: ['admin'] },
      { name: 'lives', description: 'cmd/lives', listedFor: ['admin'] },
    ],
    roles: ['admin'],
    actions: { prefix: 'live', handle: press },
    conversation,
    async handle(ctx, input) {
      if (ctx.chat.type !== 'private') return void (await ctx.reply(prompts.render('live/admin-private-only')));
      if (input.command === 'lives') {
        const coming = (await lives.list()).filter((s) => s.status === 'scheduled' && Date.parse(s.end) > now());
        if (coming.length === 0) return void (await ctx.reply(prompts.render('live/admin-lives-none')));
        for (const s of coming) {
          await ctx.reply({ kind: 'text', text: listing(s), buttons: [[{ text: prompts.render('live/admin-button-cancel'), data: `live:x:${s.id}` }]] });
        }
        return;
      }
      if (!input.args.trim()) return form.start(ctx, { title: '', start: '' });
      const { input: parsed, unread } = parseLiveLines(input.args);
      if (unread.length > 0) return void (await ctx.reply(prompts.render('live/admin-unread', { lines: unread.join('、') })));
      await preview(ctx, parsed);
    },
  };
}
