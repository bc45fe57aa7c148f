import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalChat } from '../../../src/bot/adapters/local.js';
import type { App } from '../../../src/app/app.js';
import type { Bot } from '../../../src/app/bot.js';
import type { Outbound } from '../../../src/bot/context.js';
import type { SendResult, Transport } from '../../../src/bot/context.js';
import { KnowledgeBase } from '../../../src/knowledge/knowledge-base.js';
import { resolveFacts } from '../../../src/skills/cs-scripts/facts.js';
import { prompts, silentLogger, tempDir, testBot, testConfig, until } from '../../helpers.js';

const data = tempDir('opsbot-fan-desk-');
let app: App;
let bot: Bot;
let group: LocalChat;
let privateChat: LocalChat;

const facts = resolveFacts(undefined, prompts).facts;
/** The agents' Telegram: counts what the escalations send. */
const agentsInbox: string[] = [];
const telegram: Transport = {
  async send(_chatId, content): Promise<SendResult> {
    agentsInbox.push(content.kind === 'image' ? '' : content.text);
    return { status: 'sent', messageId: String(agentsInbox.length) };
  },
};
const text = (out: { content: Outbound }[]) => out.map((o) => (o.content.kind === 'image' ? '[image]' : o.content.text));

beforeAll(async () => {
  const env = { OPSBOT_DATA_DIR: data.dir, OPSBOT_SHOP_FILE: `${data.dir}/none.json`, OPSBOT_AGENTS: 'telegram:3003' };
  const knowledge = new KnowledgeBase({ config: testConfig(env), logger: silentLogger, prompts });
  await knowledge.build();
  ({ app, bot } = await testBot(env, { knowledge, tuning: { rateLimit: { max: 1000, windowMs: 60_000 } } }));
  group = new LocalChat(bot.router, { role: 'fan', group: '粉丝1群' });
  privateChat = new LocalChat(bot.router, { role: 'fan' });
  await bot.attach('local', group, 'local');
  // The agents' Telegram, run by this process: escalations reach it through the outbox.
  await bot.attach('telegram', telegram, 'test-bot');
});
afterAll(async () => {
  await bot.close();
  data.cleanup();
});

describe('the front desk for fans', () => {
  it.each([
    ['shipping', '@助手 什么时候发货呀', 'cs/script/shipping-when-brief'],
    ['product', '@助手 165斤穿什么码', 'cs/script/product-size-brief'],
    ['coupon', '@助手 有优惠券吗', 'cs/script/coupon-where-brief'],
    ['live', '@助手 今晚几点开播', 'cs/script/live-when-brief'],
    ['payment', '@助手 花呗能分期吗', 'cs/script/payment-installment-brief'],
    ['product stock', '@助手 还有货吗', 'cs/script/product-stock-brief'],
  ])('answers %s at once with the shop\'s script', async (_intent, line, key) => {
    expect(text(await group.say(line))).toEqual([prompts.render(key, { ...facts })]);
  });

  it.each([
    ['complaint', '@助手 收到的杯子是碎的'],
    ['return_refund', '@助手 我要退货'],
    ['logistics', '@助手 快递五天没动了'],
    ['special_request', '@助手 能帮我改个地址吗'],
  ])('tells the fan a person will follow up on %s, and records an escalation', async (intent, line) => {
    const told = agentsInbox.length;
    // A group of its own: the same fan again in the same group would join the open escalation.
    const chat = new LocalChat(bot.router, { role: 'fan', group: `售后群-${intent}` });
    expect(text(await chat.say(line))).toEqual([prompts.render('cs/fan-escalated')]);
    expect(agentsInbox.length).toBeGreaterThan(told);
    const open = await (await app.service('store')).list<{ intent: string; message: { text: string } }>('esc:');
    expect(open.some(([, e]) => e.intent === intent && e.message.text === line.replace(/^@\S+\s*/, ''))).toBe(true);
  });

  it('leaves chit-chat alone in a group, greets a bare @-mention, and thanks back', async () => {
    expect(text(await group.say('今天的直播好好看'))).toEqual([]);
    expect(text(await group.say('@助手 主播今天好有气质'))).toEqual([]);
    expect(text(await group.say('@助手'))).toEqual([prompts.render('cs/script/other-greeting-brief', { shop: '本店' })]);
    expect(text(await group.say('@助手 谢谢亲'))).toEqual([prompts.render('cs/script/other-thanks-brief')]);
  });

  it('asks for it briefly when a fan sends 10,000 characters, and ignores emoji-only and link-only messages', async () => {
    expect(text(await group.say(`@助手 ${'快'.repeat(10_000)}`))).toEqual([prompts.render('cs/fan-too-long')]);
    expect(text(await group.say('@助手 😂😂😂'))).toEqual([]);
    expect(text(await group.say('@助手 https://v.douyin.com/abc123/'))).toEqual([]);
  });

  it('answers an English question with the script for its intent', async () => {
    const [reply] = text(await group.say('@bot when will my order ship?'));
    expect(reply).toContain('16:00前付款');
  });

  it('never quotes the operators\' playbook to a fan: a question the scripts do not cover gets "how can we help"', async () => {
    expect(text(await privateChat.say('你们仓库在哪个城市'))).toEqual([prompts.render('cs/script/other-greeting-brief', { shop: '本店' })]);
    expect(text(await group.say('@助手 直播间怎么引流')).join('\n')).not.toContain('摘自');
  });

  it('gathers a fan\'s further messages into their open escalation instead of opening another', async () => {
    const fan = new LocalChat(bot.router, { role: 'fan', group: '粉丝2群' });
    expect(text(await fan.say('@助手 衣服起球了，质量太差'))).toEqual([prompts.render('cs/fan-escalated')]);
    const told = agentsInbox.length;
    expect(text(await fan.say('@助手 怎么还没人理我，我要投诉'))).toEqual([prompts.render('cs/fan-still-waiting')]);
    // The follow-up goes to the agents through the outbox, a moment after the fan's answer.
    await until(() => agentsInbox.length > told);
    await new Promise((r) => setTimeout(r, 200));
    expect(agentsInbox.slice(told)).toEqual([prompts.render('cs/esc-follow-up', { fan: 'fan', message: '怎么还没人理我，我要投诉' })]);
  });

  it('promises no person when no agent could be told, and says when the agents are in', async () => {
    const alone = await testBot({ OPSBOT_DATA_DIR: `${data.dir}/alone`, OPSBOT_SHOP_FILE: `${data.dir}/none.json` });
    try {
      const chat = new LocalChat(alone.bot.router, { role: 'fan', group: '粉丝1群' });
      expect(text(await chat.say('@助手 收到的杯子是碎的'))).toEqual([prompts.render('cs/fan-no-agent', { hours: '09:00-22:00' })]);
    } finally {
      await alone.bot.close();
    }
  });
});

describe('the front desk in a private chat', () => {
  it('never leaves a fan without an answer: a remark gets "how can we help"', async () => {
    expect(text(await privateChat.say('我昨天看了你们的直播'))).toHaveLength(1);
    expect(text(await privateChat.say('嗯嗯'))).toEqual([prompts.render('cs/script/other-greeting-brief', { shop: '本店' })]);
  });
});
