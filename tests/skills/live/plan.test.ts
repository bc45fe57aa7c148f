import { describe, expect, it } from 'vitest';
import { planLive, type PlanContext } from '../../../src/skills/live/plan.js';
import { parseSpan } from '../../../src/skills/live/session.js';
import { composeTexts, templateText } from '../../../src/skills/live/texts.js';
import type { ChatMessage, LlmService } from '../../../src/kernel/llm.js';
import { ErrorCode, hasCode } from '../../../src/kernel/errors.js';
import { prompts, silentLogger } from '../../helpers.js';

const TZ = 'Asia/Shanghai';
const groups = [
  { platform: 'wechat' as const, id: 'r1@chatroom', name: '粉丝1群' },
  { platform: 'wechat' as const, id: 'r2@chatroom', name: '粉丝2群' },
  { platform: 'telegram' as const, id: '-100', name: '运营群' },
];
const ctx = (now: string, over: Partial<PlanContext> = {}): PlanContext => ({
  now: Date.parse(now),
  tz: TZ,
  groups,
  fanGroups: groups.slice(0, 2),
  quietHours: { start: '23:00', end: '08:00' },
  ...over,
});
const at = (iso: string) => new Date(iso).toISOString();

describe('planning a live', () => {
  it.each([
    ['60m', 60],
    ['10m', 10],
    ['2h', 120],
    ['1d', 1440],
    ['1h30m', 90],
    ['90分钟', 90],
    ['0m', undefined],
    ['soon', undefined],
    ['10', undefined],
  ])('reads the span %j', (text, minutes) => {
    expect(parseSpan(text)).toBe(minutes);
  });

  it('plans the playbook\'s rhythm: preannounce an hour before, a reminder 10 minutes before, on air at the start, the recap after the end', () => {
    const plan = planLive({ title: '双12宠粉专场', start: '2026-12-12 20:00', offers: ['满199减30'] }, ctx('2026-12-01T10:00:00+08:00'), prompts);
    expect(plan.times.map((t) => [t.kind, t.lead, t.at.toISOString(), t.deadline.toISOString()])).toEqual([
      ['preannounce', 60, at('2026-12-12T19:00:00+08:00'), at('2026-12-12T20:00:00+08:00')],
      ['reminder', 10, at('2026-12-12T19:50:00+08:00'), at('2026-12-12T20:00:00+08:00')],
      ['onair', undefined, at('2026-12-12T20:00:00+08:00'), at('2026-12-12T20:15:00+08:00')],
      ['recap', undefined, at('2026-12-12T22:30:00+08:00'), at('2026-12-13T22:00:00+08:00')],
    ]);
    expect(plan.groups.map((g) => g.name)).toEqual(['粉丝1群', '粉丝2群']);
    expect(plan.allFanGroups).toBe(true);
    expect(plan.warnings).toEqual([]);
  });

  it('takes any list of lead times, largest first, the named groups, and the duration', () => {
    const plan = planLive({ title: '周五上新', start: '2026-12-04 20:00', reminders: '10m,1d,1m,60m', groups: ['粉丝2群', '运营群'], duration: '90m' }, ctx('2026-12-01T10:00:00+08:00'), prompts);
    expect(plan.times.map((t) => `${t.kind}:${t.lead ?? ''}`)).toEqual(['preannounce:1440', 'reminder:60', 'reminder:10', 'reminder:1', 'onair:', 'recap:']);
    expect(plan.end.toISOString()).toBe(at('2026-12-04T21:30:00+08:00'));
    expect(plan.groups.map((g) => g.name)).toEqual(['粉丝2群', '运营群']);
  });

  it('refuses a start in the past, a duplicate lead time, an unknown group and an empty title, all at once', () => {
    let err: unknown;
    try {
      planLive({ title: '  ', start: '2026-11-30 20:00', reminders: '60m,10m,60m', groups: ['粉丝9群'] }, ctx('2026-12-01T10:00:00+08:00'), prompts);
    } catch (e) {
      err = e;
    }
    expect(hasCode(err, ErrorCode.LIVE_INVALID)).toBe(true);
    const problems = (err as { details: { problems: string[] } }).details.problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toContain('标题不能为空');
    expect(problems.join('\n')).toContain('已经过去了');
    expect(problems.join('\n')).toContain('“60m”重复了');
    expect(problems.join('\n')).toContain('没有叫“粉丝9群”的群；现有的群：粉丝1群、粉丝2群、运营群');
  });

  it.each([['2026-12-12'], ['12-12 20:00'], ['2026-02-30 20:00'], ['2026-12-12 25:00']])('refuses the start %j, saying how to write it', (start) => {
    expect(() => planLive({ title: 'x', start }, ctx('2026-12-01T10:00:00+08:00'), prompts)).toThrow(/OPSBOT_ERR_LIVE_INVALID/);
  });

  it('planned late, sends the preannounce now and leaves out reminders already past', () => {
    const plan = planLive({ title: '临时加播', start: '2026-12-01 20:00', reminders: '60m,30m,10m' }, ctx('2026-12-01T19:35:00+08:00'), prompts);
    expect(plan.times.map((t) => [t.kind, t.lead, t.at.toISOString()])).toEqual([
      ['preannounce', 60, at('2026-12-01T19:35:00+08:00')],
      ['reminder', 10, at('2026-12-01T19:50:00+08:00')],
      ['onair', undefined, at('2026-12-01T20:00:00+08:00')],
      ['recap', undefined, at('2026-12-01T22:30:00+08:00')],
    ]);
  });

  it('crosses midnight: a live at 00:30 is announced the evening before, as 明天 00:30 then, and as 今天 00:30 for its reminder', () => {
    const plan = planLive({ title: '午夜场', start: '2026-12-02 00:30', reminders: '2h,10m' }, ctx('2026-12-01T10:00:00+08:00', { quietHours: null }), prompts);
    const [pre, reminder] = plan.times;
    expect(pre!.at.toISOString()).toBe(at('2026-12-01T22:30:00+08:00'));
    expect(templateText(plan, pre!, TZ, prompts)).toContain('明天 00:30');
    expect(reminder!.at.toISOString()).toBe(at('2026-12-02T00:20:00+08:00'));
    expect(templateText(plan, reminder!, TZ, prompts)).toContain('还有10分钟');
  });

  it('warns when quiet hours hold a message, and when they make it miss its deadline', () => {
    const plan = planLive({ title: '深夜场', start: '2026-12-02 23:30', reminders: '2h,10m' }, ctx('2026-12-01T10:00:00+08:00'), prompts);
    expect(plan.warnings).toHaveLength(3);
    expect(plan.warnings[0]).toContain('开播前10分钟提醒在 23:20');
    expect(plan.warnings[0]).toContain('不会发出');
    expect(plan.warnings[1]).toContain('开播通知在 23:30');
    // The recap (02:00) waits for the morning: it is worth sending for a day.
    expect(plan.warnings[2]).toBe(prompts.render('live/warn-quiet-held', { what: '直播回顾', time: '02:00', range: '23:00-08:00', until: '08:00' }));
    const morning = planLive({ title: '早场', start: '2026-12-02 09:00', reminders: '90m' }, ctx('2026-12-01T10:00:00+08:00'), prompts);
    expect(morning.warnings).toEqual([prompts.render('live/warn-quiet-held', { what: '直播预告', time: '07:30', range: '23:00-08:00', until: '08:00' })]);
    const off = planLive({ title: '深夜场', start: '2026-12-02 23:30' }, ctx('2026-12-01T10:00:00+08:00', { quietHours: null }), prompts);
    expect(off.warnings).toEqual([]);
  });

  it('says so when there is no fan group to send to', () => {
    const plan = planLive({ title: '无群', start: '2026-12-12 20:00' }, ctx('2026-12-01T10:00:00+08:00', { fanGroups: [] }), prompts);
    expect(plan.warnings).toEqual([prompts.render('live/warn-no-groups')]);
  });
});

describe('the messages\' texts', () => {
  const plan = planLive(
    { title: '双12宠粉专场', start: '2026-12-12 20:00', theme: '年终大促', offers: ['满199减30', '前100名送福袋'], products: ['羽绒服', '雪地靴'], host: '小鹿', link: 'https://live.example.com/1', reminders: '1d,10m' },
    ctx('2026-12-01T10:00:00+08:00'),
    prompts,
  );
  const text = (i: number) => templateText(plan, plan.times[i]!, TZ, prompts);

  it('preannounces the time, title, theme, every offer and the product list', () => {
    const t = text(0);
    for (const part of ['双12宠粉专场', '明天 20:00', '年终大促', '满199减30', '前100名送福袋', '1. 羽绒服', '2. 雪地靴', '小鹿', 'https://live.example.com/1']) expect(t).toContain(part);
  });

  it('reminds briefly with the main offer, goes on air, and recaps with the offers still valid and the replay', () => {
    expect(text(1)).toBe('⏰ 还有10分钟，「双12宠粉专场」就要开播啦！🎁 满199减30，记得来直播间～');
    expect(text(2)).toContain('正在直播，主题是“年终大促”');
    const recap = text(3);
    expect(recap).toContain('感谢大家来看「双12宠粉专场」');
    expect(recap).toContain('满199减30；前100名送福袋');
    expect(recap).toContain('回放：https://live.example.com/1');
    expect(templateText(plan, plan.times[3]!, TZ, prompts, '📦 直播当天卖出：羽绒服 12 件。')).toContain('羽绒服 12 件');
  });
});

describe('copy written by a model', () => {
  const plan = planLive({ title: '双12宠粉专场', start: '2026-12-12 20:00', offers: ['满199减30', '前100名送福袋'], products: ['羽绒服'] }, ctx('2026-12-01T10:00:00+08:00'), prompts);
  const templates = plan.times.map((t) => templateText(plan, t, TZ, prompts));
  /** A model that answers each message's prompt with `write(prompt)`, and records what it was asked. */
  const model = (write: (prompt: string) => string): LlmService & { asked: ChatMessage[][] } => {
    const asked: ChatMessage[][] = [];
    return {
      chatModel: 'fake',
      asked,
      complete: async (messages) => {
        asked.push([...messages]);
        return write(messages.at(-1)!.content);
      },
      embed: async () => [],
    };
  };
  const compose = (llm?: LlmService) => composeTexts(plan, { prompts, tz: TZ, logger: silentLogger, ...(llm ? { llm } : {}) });

  it('uses the model\'s copy when it keeps the time, the title and every offer; the recap stays the template', async () => {
    const llm = model(() => '姐妹们！12月12日 20:00「双12宠粉专场」开播🔥 满199减30，前100名送福袋，羽绒服等你来抢～');
    const texts = await compose(llm);
    expect(texts.slice(0, 3).every((t) => t.startsWith('姐妹们！'))).toBe(true);
    expect(texts[3]).toBe(templates[3]);
    expect(llm.asked).toHaveLength(3);
    // The model is given the facts and the template to keep to.
    const prompt = llm.asked[0]!.at(-1)!.content;
    for (const part of ['双12宠粉专场', '2026-12-12 20:00', '满199减30', templates[0]!]) expect(prompt).toContain(part);
  });

  it('falls back to the template for a message whose copy dropped an offer or the time, or when the model fails', async () => {
    // The preannounce names both offers: copy with one is refused; the reminder and the on-air message
    // name only the main offer, so the same copy is good for them.
    const short = '12月12日 20:00「双12宠粉专场」满199减30，快来！';
    expect(await compose(model(() => short))).toEqual([templates[0], short, short, templates[3]]);
    // Only the preannounce says the time.
    const noTime = '「双12宠粉专场」满199减30，前100名送福袋，今晚见！';
    expect(await compose(model(() => noTime))).toEqual([templates[0], noTime, noTime, templates[3]]);
    expect(await compose(model(() => { throw new Error('model down'); }))).toEqual(templates);
    expect(await compose()).toEqual(templates);
  });
});
